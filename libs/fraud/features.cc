#include "libs/fraud/features.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "libs/fraud/raw_features.h"

namespace candor::fraud {
namespace {

constexpr std::array<std::string_view, kFeatureCount> kNames = {
    "account_age_days",
    "lifetime_reviews",
    "verified_ratio",
    "avg_rating_given",
    "rating_variance",
    "reviews_24h",
    "reviews_7d",
    "distinct_products_24h",
    "avg_text_length_7d",
    "datacenter_ip",
    "product_velocity_ratio",
    "product_new_account_ratio",
    "rating_spike_delta",
    "near_dup_similarity",
    "near_dup_accounts",
    "shared_ip_rejected",
    "shared_device_rejected",
    "rating",
    "verified_purchase",
    "text_length",
    "rating_deviation",
};

// Counts are bounded far above anything genuine (the stores cap their windows lower still), so
// a value beyond them is a corrupt counter or clock, not behaviour.
constexpr float kMaxCount = 10000;
// Ten times the longest body validation accepts (libs/review kMaxBodyChars).
constexpr float kMaxTextLength = 50000;
// A century.
constexpr float kMaxAgeDays = 36525;
// The velocity ratio's largest possible value: every review of the 30 days in the last hour,
// (n / max(n / 720, 0.1)) <= 720.
constexpr float kMaxVelocity = 720;

constexpr std::array<FeatureRange, kFeatureCount> kRanges = {{
    {0, kMaxAgeDays, 0},     // account_age_days
    {0, 1'000'000, 0},       // lifetime_reviews
    {0, 1, 0},               // verified_ratio
    {1, 5, 3},               // avg_rating_given
    {0, 4, 1},               // rating_variance
    {1, kMaxCount, 1},       // reviews_24h
    {1, kMaxCount, 1},       // reviews_7d
    {1, kMaxCount, 1},       // distinct_products_24h
    {0, kMaxTextLength, 0},  // avg_text_length_7d
    {0, 1, 0},               // datacenter_ip
    {0, kMaxVelocity, 1},    // product_velocity_ratio
    {0, 1, 0},               // product_new_account_ratio
    {0, 4, 0},               // rating_spike_delta
    {0, 1, 0},               // near_dup_similarity
    {0, kMaxCount, 0},       // near_dup_accounts
    {0, kMaxCount, 0},       // shared_ip_rejected
    {0, kMaxCount, 0},       // shared_device_rejected
    {1, 5, 3},               // rating
    {0, 1, 0},               // verified_purchase
    {0, kMaxTextLength, 0},  // text_length
    {-4, 4, 0},              // rating_deviation
}};

// Sets feature `f` of `row` to `v` clamped into its range, noting a clamp.
void Put(FeatureRow& row, Feature f, double v) {
  const FeatureRange& r = RangeOf(f);
  float out = 0;
  if (std::isnan(v)) {
    out = r.fallback;
  } else if (v < r.min) {
    out = r.min;
  } else if (v > r.max) {
    out = r.max;
  } else {
    At(row.values, f) = static_cast<float>(v);
    return;
  }
  At(row.values, f) = out;
  row.clamped.push_back(f);
}

double Ratio(double num, double den, double none) { return den > 0 ? num / den : none; }

}  // namespace

std::string_view FeatureName(Feature f) {
  const auto i = static_cast<std::size_t>(f);
  if (i >= kFeatureCount) std::abort();  // not a feature: a bug in the caller
  return kNames[i];
}

const std::array<std::string_view, kFeatureCount>& FeatureNames() { return kNames; }

const FeatureRange& RangeOf(Feature f) {
  const auto i = static_cast<std::size_t>(f);
  if (i >= kFeatureCount) std::abort();
  return kRanges[i];
}

FeatureRow ComputeFeatures(const RawFeatures& raw) {
  FeatureRow row;
  const auto n = static_cast<double>(raw.prior_reviews);
  Put(row, Feature::kAccountAgeDays, raw.account_age_days);
  Put(row, Feature::kLifetimeReviews, n);
  Put(row, Feature::kVerifiedRatio, Ratio(static_cast<double>(raw.prior_verified), n, 0));
  Put(row, Feature::kAvgRatingGiven, Ratio(static_cast<double>(raw.prior_rating_sum), n, 3));
  // Population variance from the integer sums, (n * sum(x^2) - sum(x)^2) / n^2: exact for any
  // realistic n, where sum(x^2)/n - mean^2 in doubles can come out a hair below zero.
  double variance = 1;
  if (raw.prior_reviews > 0) {
    const auto ln = static_cast<long double>(raw.prior_reviews);
    const auto s = static_cast<long double>(raw.prior_rating_sum);
    const auto q = static_cast<long double>(raw.prior_rating_square_sum);
    variance = static_cast<double>((ln * q - s * s) / (ln * ln));
  }
  Put(row, Feature::kRatingVariance, variance);
  Put(row, Feature::kReviews24h, static_cast<double>(raw.reviews_24h));
  Put(row, Feature::kReviews7d, static_cast<double>(raw.reviews_7d));
  Put(row, Feature::kDistinctProducts24h, static_cast<double>(raw.distinct_products_24h));
  Put(row, Feature::kAvgTextLength7d,
      Ratio(static_cast<double>(raw.text_length_sum_7d), static_cast<double>(raw.reviews_7d), 0));
  Put(row, Feature::kDatacenterIp, raw.datacenter_ip ? 1 : 0);
  Put(row, Feature::kProductVelocityRatio,
      static_cast<double>(raw.product_reviews_1h) /
          std::max(static_cast<double>(raw.product_reviews_30d) / 720.0, 0.1));
  Put(row, Feature::kProductNewAccountRatio,
      Ratio(static_cast<double>(raw.product_new_account_reviews_24h),
            static_cast<double>(raw.product_reviews_24h), 0));
  const auto pn = static_cast<double>(raw.product_prior_reviews);
  const auto ps = static_cast<double>(raw.product_prior_rating_sum);
  const auto rating = static_cast<double>(raw.rating);
  double spike = 0;
  double deviation = 0;
  if (raw.product_prior_reviews > 0) {
    spike = std::abs((ps + rating) / (pn + 1) - ps / pn);
    deviation = rating - ps / pn;
  }
  Put(row, Feature::kRatingSpikeDelta, spike);
  Put(row, Feature::kNearDupSimilarity, raw.near_dup_similarity);
  Put(row, Feature::kNearDupAccounts, static_cast<double>(raw.near_dup_accounts));
  Put(row, Feature::kSharedIpRejected, static_cast<double>(raw.shared_ip_rejected));
  Put(row, Feature::kSharedDeviceRejected, static_cast<double>(raw.shared_device_rejected));
  Put(row, Feature::kRating, rating);
  Put(row, Feature::kVerifiedPurchase, raw.verified_purchase ? 1 : 0);
  Put(row, Feature::kTextLength, static_cast<double>(raw.text_length));
  Put(row, Feature::kRatingDeviation, deviation);
  return row;
}

}  // namespace candor::fraud
