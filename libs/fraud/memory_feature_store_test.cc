#include "libs/fraud/memory_feature_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/fraud/feature_stream_testing.h"
#include "libs/fraud/features_testing.h"

namespace candor::fraud {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

using testing::ExpectFeatures;
using testing::Get;
using testing::Review;

absl::Duration Days(double d) { return absl::Hours(24 * d); }

TEST(MemoryFeatureStoreTest, AccountAgeFromFirstSightingOrTheClaim) {
  MemoryFeatureStore store;
  EXPECT_EQ(Get(store.Record(Review("a1", "ann", "P1", kT0)), Feature::kAccountAgeDays), 0);
  EXPECT_FLOAT_EQ(
      Get(store.Record(Review("a2", "ann", "P2", kT0 + Days(10))), Feature::kAccountAgeDays), 10);
  // An older import moves the first sighting back.
  store.Record(Review("a0", "ann", "P3", kT0 - Days(5)));
  EXPECT_FLOAT_EQ(
      Get(store.Record(Review("a3", "ann", "P4", kT0 + Days(11))), Feature::kAccountAgeDays), 16);
  // The identity provider's claim wins.
  ReviewFacts claimed = Review("b1", "bob", "P1", kT0);
  claimed.account_created = kT0 - Days(400);
  EXPECT_FLOAT_EQ(Get(store.Record(claimed), Feature::kAccountAgeDays), 400);
}

TEST(MemoryFeatureStoreTest, ACreationClaimInTheFutureIsClampedAndFlagged) {
  MemoryFeatureStore store;
  ReviewFacts r = Review("a1", "ann", "P1", kT0);
  r.account_created = kT0 + absl::Hours(3);  // clock skew at the identity provider
  const FeatureRow row = store.Record(r);
  EXPECT_EQ(Get(row, Feature::kAccountAgeDays), 0);
  EXPECT_THAT(row.clamped, Contains(Feature::kAccountAgeDays));
  r.review_id = "a2";
  r.account_created = absl::InfinitePast();
  const FeatureRow ancient = store.Record(r);
  EXPECT_EQ(Get(ancient, Feature::kAccountAgeDays), RangeOf(Feature::kAccountAgeDays).max);
  EXPECT_THAT(ancient.clamped, Contains(Feature::kAccountAgeDays));
}

TEST(MemoryFeatureStoreTest, LifetimeCountersAreThePriorReviews) {
  MemoryFeatureStore store;
  ReviewFacts r1 = Review("a1", "ann", "P1", kT0, 5);
  r1.verified_purchase = true;
  store.Record(r1);
  store.Record(Review("a2", "ann", "P2", kT0 + Days(1), 1));
  const FeatureRow row = store.Record(Review("a3", "ann", "P3", kT0 + Days(2), 4));
  ExpectFeatures(row, {{Feature::kLifetimeReviews, 2},
                       {Feature::kVerifiedRatio, 0.5},
                       {Feature::kAvgRatingGiven, 3},
                       {Feature::kRatingVariance, 4},
                       {Feature::kRating, 4}});
}

TEST(MemoryFeatureStoreTest, SessionWindowsRunOnTheReviewsOwnTime) {
  MemoryFeatureStore store;
  ReviewFacts first = Review("a1", "ann", "P1", kT0);
  first.text_length = 50;
  store.Record(first);
  ReviewFacts second = Review("a2", "ann", "P1", kT0 + absl::Hours(23));
  second.text_length = 150;
  store.Record(second);
  // 25 h after the first: it left the 24 h window, not the 7 d one.
  FeatureRow row = store.Record(Review("a3", "ann", "P2", kT0 + absl::Hours(25)));
  ExpectFeatures(row, {{Feature::kReviews24h, 2},
                       {Feature::kReviews7d, 3},
                       {Feature::kDistinctProducts24h, 2},
                       // (50 + 150 + 100) / 3
                       {Feature::kAvgTextLength7d, 100}});
  // Exactly 7 days after the first: (at - 7 d, at] leaves it out.
  row = store.Record(Review("a4", "ann", "P3", kT0 + Days(7)));
  EXPECT_EQ(Get(row, Feature::kReviews24h), 1);
  EXPECT_EQ(Get(row, Feature::kReviews7d), 3);
}

TEST(MemoryFeatureStoreTest, AnOldImportIsJudgedAtItsOwnTime) {
  MemoryFeatureStore store;
  for (int i = 0; i < 5; ++i) {
    store.Record(Review(absl::StrCat("a", i), "ann", "P1", kT0 + absl::Minutes(i)));
  }
  // Imported from a year before: nothing else of ann's is near it, though she reviewed today.
  const FeatureRow row = store.Record(Review("old", "ann", "P9", kT0 - Days(365)));
  ExpectFeatures(row, {{Feature::kReviews24h, 1},
                       {Feature::kReviews7d, 1},
                       {Feature::kProductVelocityRatio, 10},
                       // "prior" = recorded before it
                       {Feature::kLifetimeReviews, 5}});
  // Nor does it count in today's windows.
  const FeatureRow now = store.Record(Review("a5", "ann", "P1", kT0 + absl::Minutes(5)));
  EXPECT_EQ(Get(now, Feature::kReviews24h), 6);
  EXPECT_EQ(Get(now, Feature::kLifetimeReviews), 6);
}

TEST(MemoryFeatureStoreTest, ProductVelocityNewAccountsAndRatingSpike) {
  MemoryFeatureStore store;
  // 30 days of a calm product: 60 reviews by aged accounts, rating 4.
  for (int i = 0; i < 60; ++i) {
    ReviewFacts r = Review(absl::StrCat("calm", i), absl::StrCat("old", i), "P1",
                           kT0 - Days(29) + absl::Hours(11.5 * i), 4);
    r.account_created = kT0 - Days(1000);
    store.Record(r);
  }
  // A burst: 9 fresh accounts in the last hour, one star each.
  FeatureRow row;
  for (int i = 0; i < 9; ++i) {
    row = store.Record(Review(absl::StrCat("bomb", i), absl::StrCat("new", i), "P1",
                              kT0 + absl::Minutes(5 * i), 1));
  }
  // 9 in the hour over 69 in 30 days (69/720 < 0.1, so the floor): 9 / 0.1.
  EXPECT_FLOAT_EQ(Get(row, Feature::kProductVelocityRatio), 90);
  // 24 h: calm reviews at kT0 - 29 d + 11.5 h * i >= kT0 - 1 d for i >= 59 (kT0 - 0.7 d): 1 calm
  // and 9 new.
  EXPECT_FLOAT_EQ(Get(row, Feature::kProductNewAccountRatio), 0.9f);
  // Prior: 60 fours and 8 ones, mean 248/68; with this one 249/69.
  EXPECT_FLOAT_EQ(Get(row, Feature::kRatingSpikeDelta),
                  static_cast<float>(248.0 / 68 - 249.0 / 69));
  EXPECT_FLOAT_EQ(Get(row, Feature::kRatingDeviation), static_cast<float>(1 - 248.0 / 68));
}

TEST(MemoryFeatureStoreTest, ARedeliveryChangesNoCounterAndGetsTheSameRow) {
  MemoryFeatureStore store;
  const ReviewFacts a1 = Review("a1", "ann", "P1", kT0);
  const ReviewFacts a2 = Review("a2", "ann", "P2", kT0 + absl::Hours(1), 2);
  store.Record(a1);
  const FeatureRow first = store.Record(a2);
  const FeatureRow again = store.Record(a2);
  EXPECT_EQ(again.values, first.values);
  // Later reviews see a2 once.
  const FeatureRow next = store.Record(Review("a3", "ann", "P2", kT0 + absl::Hours(2)));
  EXPECT_EQ(Get(next, Feature::kLifetimeReviews), 2);
  EXPECT_EQ(Get(next, Feature::kReviews24h), 3);
  EXPECT_FLOAT_EQ(Get(next, Feature::kRatingDeviation), 3);  // 5 - mean of {2}
  // A redelivery of a1 now sees a2 and a3, "up to what later reviews added", and counts itself
  // once.
  const FeatureRow late = store.Record(a1);
  EXPECT_EQ(Get(late, Feature::kLifetimeReviews), 2);
  EXPECT_EQ(Get(late, Feature::kReviews24h), 1);  // a2 and a3 are after a1's own time
  EXPECT_EQ(store.size().author_reviews, 3u);
  EXPECT_EQ(store.size().product_reviews, 3u);
}

TEST(MemoryFeatureStoreTest, RejectedAccountsCountAgainstOthersOnTheSameAddressOrDevice) {
  MemoryFeatureStore store;
  ReviewFacts bad = Review("x1", "mallory", "P1", kT0);
  bad.client_ip = "198.51.100.1";
  bad.device_id = "phone-1";
  store.Record(bad);
  store.MarkRejected({bad});
  ReviewFacts other = Review("y1", "eve", "P2", kT0 + Days(2));
  other.client_ip = "198.51.100.1";
  other.device_id = "phone-1";
  FeatureRow row = store.Record(other);
  EXPECT_EQ(Get(row, Feature::kSharedIpRejected), 1);
  EXPECT_EQ(Get(row, Feature::kSharedDeviceRejected), 1);
  // Not against the rejected account itself.
  ReviewFacts self = bad;
  self.review_id = "x2";
  self.at = kT0 + Days(2);
  row = store.Record(self);
  EXPECT_EQ(Get(row, Feature::kSharedIpRejected), 0);
  EXPECT_EQ(Get(row, Feature::kSharedDeviceRejected), 0);
  // Other addresses are clean; after 30 days the mark no longer counts.
  other.review_id = "y2";
  other.client_ip = "198.51.100.2";
  row = store.Record(other);
  EXPECT_EQ(Get(row, Feature::kSharedIpRejected), 0);
  EXPECT_EQ(Get(row, Feature::kSharedDeviceRejected), 1);
  other.review_id = "y3";
  other.at = kT0 + Days(30);
  row = store.Record(other);
  EXPECT_EQ(Get(row, Feature::kSharedDeviceRejected), 0);
  // Marking twice counts the account once.
  store.MarkRejected({bad, bad});
  other.review_id = "y4";
  other.at = kT0 + Days(1);
  EXPECT_EQ(Get(store.Record(other), Feature::kSharedDeviceRejected), 1);
}

TEST(MemoryFeatureStoreTest, NearDuplicatesAcrossAccountsOfOneProduct) {
  MemoryFeatureStore store;
  const std::string text =
      "Amazing guitar strings, bright tone that lasts for weeks, easy to install and they stay in "
      "tune even on stage. My whole band switched to them and we will never go back. Five stars!";
  auto post = [&](const std::string& id, const std::string& user, const std::string& asin,
                  absl::Time at, const std::string& body) {
    ReviewFacts r = Review(id, user, asin, at);
    r.signature = MinHashSignature(body);
    return store.Record(r);
  };
  FeatureRow row = post("f1", "farm1", "P1", kT0, text);
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
  row = post("f2", "farm2", "P1", kT0 + absl::Minutes(1), text);
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 1);
  EXPECT_EQ(Get(row, Feature::kNearDupAccounts), 1);
  // Lightly varied by a third account: both earlier ones are near.
  row = post("f3", "farm3", "P1", kT0 + absl::Minutes(2),
             "Amazing guitar strings, bright tone that lasts for months, easy to install and they "
             "stay in tune even on stage. My whole band switched to them and we will never go "
             "back. Five stars!");
  EXPECT_GT(Get(row, Feature::kNearDupSimilarity), 0.5);
  EXPECT_LT(Get(row, Feature::kNearDupSimilarity), 1);
  EXPECT_EQ(Get(row, Feature::kNearDupAccounts), 2);
  // The same account posting it again is not a cross-account duplicate... of itself: only the
  // other two count.
  row = post("f4", "farm1", "P1", kT0 + absl::Minutes(3), text);
  EXPECT_EQ(Get(row, Feature::kNearDupAccounts), 2);
  // Another product has signatures of its own.
  row = post("g1", "farm4", "P2", kT0 + absl::Minutes(4), text);
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
  // Thirty days later they are gone.
  row = post("f5", "farm5", "P1", kT0 + Days(30) + absl::Minutes(3), text);
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
  EXPECT_EQ(Get(row, Feature::kNearDupAccounts), 0);
  // A text without words takes no part.
  row = post("e1", "farm6", "P1", kT0 + Days(30) + absl::Minutes(4), "!!!");
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
  row = post("e2", "farm7", "P1", kT0 + Days(30) + absl::Minutes(5), "...");
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
}

TEST(MemoryFeatureStoreTest, CandidatesPerReviewAreCapped) {
  FeatureStoreLimits limits;
  limits.near_dup_candidates = 5;
  MemoryFeatureStore store(limits);
  FeatureRow row;
  for (int i = 0; i < 20; ++i) {
    ReviewFacts r =
        Review(absl::StrCat("f", i), absl::StrCat("farm", i), "P1", kT0 + absl::Minutes(i));
    r.signature = MinHashSignature("the very same words every single time");
    row = store.Record(r);
  }
  EXPECT_EQ(Get(row, Feature::kNearDupAccounts), 5);
}

TEST(MemoryFeatureStoreTest, RecordBatchEqualsOneByOne) {
  stream::StreamOptions o;
  o.reviews = 2000;
  MemoryFeatureStore batched;
  MemoryFeatureStore single;
  EXPECT_TRUE(stream::ExpectSameRows(batched, single, o).has_value());
}

TEST(MemoryFeatureStoreTest, CapsBoundWhatIsKept) {
  FeatureStoreLimits limits;
  limits.user_reviews = 4;
  limits.product_reviews = 10;
  limits.product_signatures = 3;
  limits.rejected_accounts = 2;
  MemoryFeatureStore store(limits);
  std::vector<ReviewFacts> rejected;
  for (int i = 0; i < 200; ++i) {
    ReviewFacts r =
        Review(absl::StrCat("r", i), absl::StrCat("u", i % 3), "P1", kT0 + absl::Minutes(i));
    r.client_ip = "10.0.0.1";
    store.Record(r);
    rejected.push_back(r);
  }
  store.MarkRejected(rejected);
  const MemoryFeatureStore::Size s = store.size();
  EXPECT_EQ(s.author_reviews, 3u * 4);
  // The product's window is trimmed on every kTrimEvery-th review.
  EXPECT_LE(s.product_reviews, static_cast<std::size_t>(10 + kTrimEvery - 1));
  EXPECT_GE(s.product_reviews, 10u);
  EXPECT_EQ(s.signatures, 3u);
  EXPECT_EQ(s.rejected_accounts, 2u);
  // The windows count what is kept.
  ReviewFacts probe = Review("probe", "u9", "P1", kT0 + absl::Minutes(200));
  probe.client_ip = "10.0.0.1";
  const FeatureRow row = store.Record(probe);
  EXPECT_EQ(Get(row, Feature::kSharedIpRejected), 2);
  EXPECT_EQ(Get(row, Feature::kLifetimeReviews), 0);
}

TEST(MemoryFeatureStoreTest, TrimmingFollowsTheNewestTimeOfEachKey) {
  MemoryFeatureStore store;
  const std::string text = "the same words from the same farm every time";
  for (int i = 0; i < kTrimEvery - 1; ++i) {
    ReviewFacts r = Review(absl::StrCat("r", i), "ann", "P1", kT0 + absl::Hours(i));
    r.signature = MinHashSignature(text);
    store.Record(r);
  }
  EXPECT_EQ(store.size().author_reviews, static_cast<std::size_t>(kTrimEvery - 1));
  EXPECT_EQ(store.size().product_reviews, static_cast<std::size_t>(kTrimEvery - 1));
  // 40 days on (the product's kTrimEvery-th review): the old entries are trimmed, the counters
  // stay, and the old signatures (kept until their slots are reused) are no candidates.
  ReviewFacts late = Review("late", "bob", "P1", kT0 + Days(40));
  late.signature = MinHashSignature(text);
  const FeatureRow row = store.Record(late);
  EXPECT_EQ(store.size().author_reviews, static_cast<std::size_t>(kTrimEvery));  // ann's and bob's
  EXPECT_EQ(store.size().product_reviews, 1u);
  EXPECT_EQ(Get(row, Feature::kProductVelocityRatio), 10);
  EXPECT_EQ(Get(row, Feature::kNearDupSimilarity), 0);
  EXPECT_FLOAT_EQ(Get(row, Feature::kRatingDeviation), 0);  // 5 - mean of fifteen 5s
  // The author's window is trimmed at once, on her next review.
  store.Record(Review("ann-late", "ann", "P2", kT0 + Days(40)));
  EXPECT_EQ(store.size().author_reviews, 2u);  // ann's latest and bob's
  EXPECT_EQ(Get(store.Record(Review("ann-later", "ann", "P3", kT0 + Days(40) + absl::Hours(1))),
                Feature::kLifetimeReviews),
            kTrimEvery);
}

TEST(MemoryFeatureStoreTest, SignaturesLiveInARingOfSlots) {
  FeatureStoreLimits limits;
  limits.product_signatures = 4;
  MemoryFeatureStore store(limits);
  for (int i = 0; i < 10; ++i) {
    ReviewFacts r =
        Review(absl::StrCat("r", i), absl::StrCat("u", i), "P1", kT0 + absl::Minutes(i));
    r.signature = MinHashSignature(absl::StrCat("text number ", i, " of the ten we post"));
    store.Record(r);
  }
  EXPECT_EQ(store.size().signatures, 4u);
  // The first texts left with their slots; the last ones are still found.
  auto probe = [&](int i) {
    ReviewFacts r = Review(absl::StrCat("p", i), "prober", "P1", kT0 + absl::Minutes(30));
    r.signature = MinHashSignature(absl::StrCat("text number ", i, " of the ten we post"));
    return Get(store.Record(r), Feature::kNearDupSimilarity);
  };
  EXPECT_EQ(probe(9), 1);
  EXPECT_LT(probe(0), 1);
}

TEST(MemoryFeatureStoreTest, IdleKeysExpireByReviewTime) {
  MemoryFeatureStore store;
  for (int i = 0; i < 100; ++i) {
    store.Record(Review(absl::StrCat("r", i), absl::StrCat("u", i), absl::StrCat("P", i),
                        kT0 + absl::Minutes(i)));
  }
  EXPECT_EQ(store.size().authors, 100u);
  // Enough reviews of one active author, long after, to run a sweep.
  for (int i = 0; i < (1 << 16); ++i) {
    store.Record(Review(absl::StrCat("s", i), "busy", "Q", kT0 + Days(500) + absl::Seconds(i)));
  }
  EXPECT_EQ(store.size().authors, 1u);
  EXPECT_EQ(store.size().products, 1u);
}

}  // namespace
}  // namespace candor::fraud
