// The ledger on real Postgres and the cache on real Redis (ctest fixture `stack`).
#include <random>

#include "gtest/gtest.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/store_testing.h"

namespace candor::rating_aggregator {
namespace {

using review::ReviewStatus;

class LedgerStoreTest : public AggregatorStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Connect(testing::RedisAddr(), absl::Seconds(2)));
  }

  // Inserts a review row directly and returns its id.
  std::string AddReview(int rating, bool verified, ReviewStatus status = ReviewStatus::kActive,
                        const std::string& asin = "") {
    return reviewdb::testing::InsertReview(*pool_, {.asin = asin.empty() ? asin_ : asin,
                                                    .rating = rating,
                                                    .verified_purchase = verified,
                                                    .status = status});
  }

  void SetStatus(const std::string& id, ReviewStatus status) {
    reviewdb::testing::SetStatus(*pool_, id, status);
  }

  bool Counted(const std::string& id) {
    std::optional<reviewdb::testing::ReviewRow> row = reviewdb::testing::ReadReview(*pool_, id);
    EXPECT_TRUE(row.has_value()) << id;
    return row.has_value() && row->counted;
  }

  LedgerEvent Accepted(const std::string& id) { return {id, asin_, LedgerEvent::Kind::kCount}; }
  LedgerEvent Removed(const std::string& id) { return {id, asin_, LedgerEvent::Kind::kUncount}; }

  std::optional<review::RatingAggregate> Stored(const std::string& asin = "") {
    auto got = store_->Get(asin.empty() ? asin_ : asin);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  // I2 and I3 for this product: product_ratings equals the sums over its counted reviews, and
  // Redis holds the same values with the same version.
  void ExpectInvariants(const std::string& asin = "") {
    const std::string a = asin.empty() ? asin_ : asin;
    review::RatingAggregate expected;
    for (const reviewdb::testing::ReviewRow& row : reviewdb::testing::ReviewsOf(*pool_, a)) {
      if (row.counted) expected.Apply(row.rating, row.verified_purchase, +1);
    }
    std::optional<review::RatingAggregate> stored = Stored(a);
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(stored->SameCounts(expected)) << "product_ratings drifted from the ledger";
    auto cached = cache_->Get(a);
    ASSERT_TRUE(cached.ok() && cached->has_value()) << "rating:" << a << " missing";
    EXPECT_TRUE((*cached)->SameCounts(*stored)) << "Redis differs from product_ratings";
    EXPECT_EQ((*cached)->version, stored->version);
  }

  std::string asin_ = testing::UniqueAsin();
};

TEST_F(LedgerStoreTest, AcceptedCountsOnceWithinABatchAndAcrossBatches) {
  const std::string r1 = AddReview(5, true);
  const std::string r2 = AddReview(3, false);
  const std::string r3 = AddReview(1, true);
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1), Accepted(r2), Accepted(r1)}).ok());
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1), Accepted(r3)}).ok());
  auto p = Stored();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->count, 3);
  EXPECT_EQ(p->sum, 9);
  EXPECT_EQ(p->verified_count, 2);
  EXPECT_EQ(p->verified_sum, 6);
  EXPECT_EQ(p->stars, (std::array<int64_t, 5>{1, 0, 1, 0, 1}));
  EXPECT_EQ(p->version, 2);
  ExpectInvariants();

  // Everything again: nothing flips, the version stays.
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1), Accepted(r2), Accepted(r3)}).ok());
  EXPECT_EQ(Stored()->count, 3);
  EXPECT_EQ(Stored()->version, 2);
  ExpectInvariants();
}

TEST_F(LedgerStoreTest, RemovedSubtractsExactlyAndAcceptedAfterRemovedDoesNotRecount) {
  const std::string r1 = AddReview(4, true);
  const std::string r2 = AddReview(2, false);
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1), Accepted(r2)}).ok());
  const review::RatingAggregate before = *Stored();
  const std::string r3 = AddReview(5, true);
  ASSERT_TRUE(aggregator_->Apply({Accepted(r3)}).ok());
  const int64_t version_with_r3 = Stored()->version;
  EXPECT_EQ(Stored()->count, 3);

  SetStatus(r3, ReviewStatus::kRemoved);  // what moderation does before publishing Removed
  ASSERT_TRUE(aggregator_->Apply({Removed(r3)}).ok());
  review::RatingAggregate after = *Stored();
  EXPECT_TRUE(after.SameCounts(before));
  EXPECT_EQ(after.version, version_with_r3 + 1);
  EXPECT_FALSE(Counted(r3));
  ExpectInvariants();

  // A redelivered Accepted (and Removed) of the removed review changes nothing.
  ASSERT_TRUE(aggregator_->Apply({Accepted(r3)}).ok());
  ASSERT_TRUE(aggregator_->Apply({Removed(r3), Accepted(r3)}).ok());
  EXPECT_TRUE(Stored()->SameCounts(before));
  EXPECT_EQ(Stored()->version, version_with_r3 + 1);
  EXPECT_FALSE(Counted(r3));
  ExpectInvariants();

  // Restored: moderation sets it active again and publishes Restored (a count).
  SetStatus(r3, ReviewStatus::kActive);
  ASSERT_TRUE(aggregator_->Apply({{r3, asin_, LedgerEvent::Kind::kCount}}).ok());
  EXPECT_EQ(Stored()->count, 3);
  ExpectInvariants();
}

TEST_F(LedgerStoreTest, AcceptedThenRemovedInOneBatchEndsUncounted) {
  const std::string keep = AddReview(3, false);
  const std::string gone =
      AddReview(5, true, ReviewStatus::kRemoved);  // removed before we saw Accepted
  ASSERT_TRUE(aggregator_->Apply({Accepted(keep), Accepted(gone), Removed(gone)}).ok());
  EXPECT_FALSE(Counted(gone));
  EXPECT_EQ(Stored()->count, 1);
  EXPECT_EQ(Stored()->sum, 3);
  ExpectInvariants();

  // A counted review whose removal, re-acceptance and removal all arrive in one batch.
  const std::string flip = AddReview(1, true);
  ASSERT_TRUE(aggregator_->Apply({Accepted(flip)}).ok());
  EXPECT_EQ(Stored()->count, 2);
  SetStatus(flip, ReviewStatus::kRemoved);
  ASSERT_TRUE(aggregator_->Apply({Removed(flip), Accepted(flip), Removed(flip)}).ok());
  EXPECT_FALSE(Counted(flip));
  EXPECT_EQ(Stored()->count, 1);
  ExpectInvariants();
}

TEST_F(LedgerStoreTest, HeldAndRejectedReviewsNeverCount) {
  const std::string held = AddReview(5, true, ReviewStatus::kHeld);
  const std::string rejected = AddReview(1, false, ReviewStatus::kRejected);
  ASSERT_TRUE(aggregator_->Apply({Accepted(held), Accepted(rejected)}).ok());
  EXPECT_FALSE(Stored().has_value());  // no product row at all
  EXPECT_FALSE(Counted(held));
  EXPECT_FALSE(Counted(rejected));
}

TEST_F(LedgerStoreTest, RetriedBatchRepairsRedisWithoutRecounting) {
  const std::string r1 = AddReview(4, false);
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1)}).ok());
  // Simulate a first attempt whose Redis write was lost after the commit.
  ASSERT_TRUE(redis_->Command({"DEL", ratings::RedisRatingCache::Key(asin_)}).ok());
  ASSERT_TRUE(aggregator_->Apply({Accepted(r1)}).ok());  // the loop's retry
  EXPECT_EQ(Stored()->count, 1);
  EXPECT_EQ(Stored()->version, 1);
  ExpectInvariants();
}

TEST_F(LedgerStoreTest, OneBatchSpanningManyProducts) {
  std::vector<std::string> asins;
  std::vector<LedgerEvent> batch;
  for (int i = 0; i < 20; ++i) {
    asins.push_back(testing::UniqueAsin());
    for (int k = 1; k <= 5; ++k) {
      const std::string id = AddReview(k, k % 2 == 1, ReviewStatus::kActive, asins.back());
      batch.push_back({id, asins.back(), LedgerEvent::Kind::kCount});
    }
  }
  ASSERT_TRUE(aggregator_->Apply(batch).ok());
  for (const std::string& a : asins) {
    auto p = Stored(a);
    ASSERT_TRUE(p.has_value()) << a;
    EXPECT_EQ(p->count, 5);
    EXPECT_EQ(p->sum, 15);
    EXPECT_EQ(p->verified_count, 3);
    EXPECT_EQ(p->verified_sum, 9);
    EXPECT_EQ(p->version, 1);
    ExpectInvariants(a);
  }
}

}  // namespace
}  // namespace candor::rating_aggregator
