#include "libs/fraud/features.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <string>

#include "libs/fraud/features_testing.h"
#include "libs/fraud/raw_features.h"

namespace candor::fraud {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using testing::ExpectFeatures;
using testing::Get;

TEST(FeatureNamesTest, AreStableSnakeCaseAndUnique) {
  // The model's metadata and every stored reason code use these names: changing one is a
  // retrain and a migration, so the list is spelled out here.
  EXPECT_THAT(
      FeatureNames(),
      ElementsAre("account_age_days", "lifetime_reviews", "verified_ratio", "avg_rating_given",
                  "rating_variance", "reviews_24h", "reviews_7d", "distinct_products_24h",
                  "avg_text_length_7d", "datacenter_ip", "product_velocity_ratio",
                  "product_new_account_ratio", "rating_spike_delta", "near_dup_similarity",
                  "near_dup_accounts", "shared_ip_rejected", "shared_device_rejected", "rating",
                  "verified_purchase", "text_length", "rating_deviation"));
  std::set<std::string_view> unique(FeatureNames().begin(), FeatureNames().end());
  EXPECT_EQ(unique.size(), kFeatureCount);
  const std::regex snake("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    EXPECT_EQ(FeatureName(f), FeatureNames()[i]);
    EXPECT_TRUE(std::regex_match(std::string(FeatureName(f)), snake)) << FeatureName(f);
  }
}

TEST(FeatureRangeTest, FallbackLiesInRange) {
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const FeatureRange& r = RangeOf(static_cast<Feature>(i));
    EXPECT_LE(r.min, r.fallback) << FeatureNames()[i];
    EXPECT_LE(r.fallback, r.max) << FeatureNames()[i];
  }
}

TEST(ComputeFeaturesTest, FirstReviewOfAFreshAccountOnAFreshProduct) {
  RawFeatures raw;
  raw.rating = 4;
  raw.text_length = 120;
  raw.text_length_sum_7d = 120;
  const FeatureRow row = ComputeFeatures(raw);
  EXPECT_THAT(row.clamped, IsEmpty());
  ExpectFeatures(row, {{Feature::kAccountAgeDays, 0},
                       {Feature::kLifetimeReviews, 0},
                       {Feature::kVerifiedRatio, 0},
                       {Feature::kAvgRatingGiven, 3},  // no history: the documented defaults
                       {Feature::kRatingVariance, 1},
                       {Feature::kReviews24h, 1},
                       {Feature::kReviews7d, 1},
                       {Feature::kDistinctProducts24h, 1},
                       {Feature::kAvgTextLength7d, 120},
                       // One review in the hour and in 30 days: 1 / max(1/720, 0.1).
                       {Feature::kProductVelocityRatio, 10},
                       {Feature::kProductNewAccountRatio, 0},
                       {Feature::kRatingSpikeDelta, 0},
                       {Feature::kRatingDeviation, 0},
                       {Feature::kRating, 4},
                       {Feature::kTextLength, 120}});
}

TEST(ComputeFeaturesTest, RatiosMeansAndVarianceFromTheSums) {
  RawFeatures raw;
  raw.account_age_days = 12.5;
  // Prior ratings 5, 5, 1, 3; three verified.
  raw.prior_reviews = 4;
  raw.prior_verified = 3;
  raw.prior_rating_sum = 14;
  raw.prior_rating_square_sum = 60;
  raw.reviews_24h = 3;
  raw.reviews_7d = 4;
  raw.distinct_products_24h = 2;
  raw.text_length_sum_7d = 1000;
  raw.datacenter_ip = true;
  raw.product_reviews_1h = 5;
  raw.product_reviews_24h = 8;
  raw.product_reviews_30d = 1440;
  raw.product_new_account_reviews_24h = 6;
  // The product's prior reviews average 4; this one gives 1.
  raw.product_prior_reviews = 3;
  raw.product_prior_rating_sum = 12;
  raw.rating = 1;
  raw.near_dup_similarity = 0.75;
  raw.near_dup_accounts = 7;
  raw.shared_ip_rejected = 2;
  raw.shared_device_rejected = 1;
  raw.verified_purchase = true;
  raw.text_length = 300;
  const FeatureRow row = ComputeFeatures(raw);
  EXPECT_THAT(row.clamped, IsEmpty());
  ExpectFeatures(row, {{Feature::kAccountAgeDays, 12.5},
                       {Feature::kLifetimeReviews, 4},
                       {Feature::kVerifiedRatio, 0.75},
                       {Feature::kAvgRatingGiven, 3.5},
                       {Feature::kRatingVariance, 2.75},  // (4*60 - 14^2) / 16
                       {Feature::kAvgTextLength7d, 250},
                       {Feature::kDatacenterIp, 1},
                       {Feature::kProductVelocityRatio, 2.5},  // 5 / (1440 / 720)
                       {Feature::kProductNewAccountRatio, 0.75},
                       {Feature::kRatingSpikeDelta, 0.75},  // |13/4 - 4|
                       {Feature::kRatingDeviation, -3},
                       {Feature::kNearDupSimilarity, 0.75},
                       {Feature::kNearDupAccounts, 7},
                       {Feature::kSharedIpRejected, 2},
                       {Feature::kSharedDeviceRejected, 1},
                       {Feature::kVerifiedPurchase, 1}});
}

TEST(ComputeFeaturesTest, EqualRatingsHaveZeroVarianceNotATinyNegativeOne) {
  RawFeatures raw;
  raw.prior_reviews = 3;
  raw.prior_rating_sum = 9;
  raw.prior_rating_square_sum = 27;
  const FeatureRow row = ComputeFeatures(raw);
  EXPECT_EQ(Get(row, Feature::kRatingVariance), 0);
  EXPECT_THAT(row.clamped, IsEmpty());
}

TEST(ComputeFeaturesTest, OutOfRangeValuesAreClampedAndListedInFeatureOrder) {
  RawFeatures raw;
  raw.account_age_days = -3;  // a creation claim in the future (clock skew)
  raw.prior_reviews = -2;     // a corrupt counter
  raw.reviews_24h = 5'000'000;
  raw.near_dup_similarity = std::numeric_limits<double>::quiet_NaN();
  raw.rating = 9;
  raw.text_length = -1;
  const FeatureRow row = ComputeFeatures(raw);
  ExpectFeatures(row, {{Feature::kAccountAgeDays, 0},
                       {Feature::kLifetimeReviews, 0},
                       {Feature::kReviews24h, RangeOf(Feature::kReviews24h).max},
                       {Feature::kNearDupSimilarity, 0},
                       {Feature::kRating, 5},
                       {Feature::kTextLength, 0}});
  EXPECT_THAT(row.clamped,
              ElementsAre(Feature::kAccountAgeDays, Feature::kLifetimeReviews, Feature::kReviews24h,
                          Feature::kNearDupSimilarity, Feature::kRating, Feature::kTextLength));
}

TEST(ComputeFeaturesTest, NaNAndInfiniteAgesAreClampedNeverPassedOn) {
  for (double age :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), 1e300}) {
    RawFeatures raw;
    raw.account_age_days = age;
    const FeatureRow row = ComputeFeatures(raw);
    const float v = Get(row, Feature::kAccountAgeDays);
    EXPECT_TRUE(std::isfinite(v)) << age;
    EXPECT_GE(v, RangeOf(Feature::kAccountAgeDays).min);
    EXPECT_LE(v, RangeOf(Feature::kAccountAgeDays).max);
    EXPECT_THAT(row.clamped, ElementsAre(Feature::kAccountAgeDays)) << age;
  }
}

TEST(ComputeFeaturesTest, EveryValueIsFiniteAndInRangeWhateverTheInput) {
  const int64_t extremes[] = {std::numeric_limits<int64_t>::min(), -1, 0, 1, 7,
                              std::numeric_limits<int64_t>::max()};
  for (int64_t x : extremes) {
    RawFeatures raw;
    raw.prior_reviews = x;
    raw.prior_verified = x;
    raw.prior_rating_sum = x;
    raw.prior_rating_square_sum = x;
    raw.reviews_7d = x;
    raw.text_length_sum_7d = x;
    raw.product_reviews_1h = x;
    raw.product_reviews_24h = x;
    raw.product_reviews_30d = x;
    raw.product_new_account_reviews_24h = x;
    raw.product_prior_reviews = x;
    raw.product_prior_rating_sum = x;
    raw.rating = x;
    const FeatureRow row = ComputeFeatures(raw);
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
      const FeatureRange& r = RangeOf(static_cast<Feature>(i));
      EXPECT_TRUE(std::isfinite(row.values[i])) << FeatureNames()[i] << " at " << x;
      EXPECT_GE(row.values[i], r.min) << FeatureNames()[i] << " at " << x;
      EXPECT_LE(row.values[i], r.max) << FeatureNames()[i] << " at " << x;
    }
  }
}

}  // namespace
}  // namespace candor::fraud
