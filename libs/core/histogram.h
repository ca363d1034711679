#pragma once

#include <array>
#include <cstdint>

namespace candor::core {

// A log-linear histogram of non-negative integers (mostly latencies in microseconds), in the
// manner of HdrHistogram: values below 128 are kept exactly; above, every power-of-two range is
// split into 64 equal buckets, so a reported percentile is within 1/64 (1.6 %) above the true
// value, and never above the largest value recorded. Fixed size (about 30 KB), no allocation
// after construction. Not thread-safe; callers lock or merge copies.
class Histogram {
 public:
  // Negative values are recorded as 0.
  void Record(int64_t value);
  void Merge(const Histogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double Mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at percentile `p` (0..100): the smallest bucket bound such that at least p % of
  // the values are at or below it, clamped to [min(), max()]. 0 when empty.
  int64_t Percentile(double p) const;

 private:
  static constexpr int kExactBits = 7;  // values below 128 have their own bucket
  static constexpr int kSubBuckets = 1 << (kExactBits - 1);
  static constexpr int kBuckets = (64 - kExactBits) * kSubBuckets + 2 * kSubBuckets;

  static int BucketOf(uint64_t value);
  static uint64_t UpperBound(int bucket);

  std::array<int64_t, kBuckets> buckets_{};
  int64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace candor::core
