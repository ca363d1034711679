#include "libs/core/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace candor::core {

// Bucket layout: indices [0, 128) hold the values 0..127. A larger value v whose highest set bit
// is b (b >= 7) is shifted right by s = b - 6, which leaves a mantissa m in [64, 128); its bucket
// is s * 64 + m. Consecutive exponents therefore tile consecutive index ranges.
int Histogram::BucketOf(uint64_t value) {
  if (value < (1u << kExactBits)) return static_cast<int>(value);
  int top_bit = 63 - std::countl_zero(value);
  int shift = top_bit - (kExactBits - 1);
  return shift * kSubBuckets + static_cast<int>(value >> shift);
}

uint64_t Histogram::UpperBound(int bucket) {
  if (bucket < (1 << kExactBits)) return static_cast<uint64_t>(bucket);
  int shift = bucket / kSubBuckets - 1;
  uint64_t mantissa = static_cast<uint64_t>(bucket % kSubBuckets) + kSubBuckets;
  return ((mantissa + 1) << shift) - 1;
}

void Histogram::Record(int64_t value) {
  if (value < 0) value = 0;
  ++buckets_[BucketOf(static_cast<uint64_t>(value))];
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

int64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank (1-based) of the value asked for; at least the first value.
  auto rank = static_cast<int64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::max<int64_t>(rank, 1);
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      auto bound = static_cast<int64_t>(UpperBound(i));
      return std::clamp(bound, min_, max_);
    }
  }
  return max_;
}

}  // namespace candor::core
