#include "services/rating-aggregator/aggregator.h"

#include <map>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::rating_aggregator {
namespace {

// The ledger semantics of RatingLedger in memory: the status guards, the flips, the versioned
// per-product sums. Lets the batch logic be checked without a database.
class FakeLedger final : public RatingLedger {
 public:
  struct Row {
    std::string asin;
    int rating = 0;
    bool verified = false;
    review::ReviewStatus status = review::ReviewStatus::kActive;
    bool counted = false;
  };

  absl::StatusOr<LedgerResult> Apply(const std::vector<LedgerPhase>& phases,
                                     const std::vector<std::string>& touched) override {
    ++calls;
    if (!error.ok()) return error;
    LedgerResult result;
    std::map<std::string, review::RatingAggregate> deltas;
    for (const LedgerPhase& phase : phases) {
      for (const std::string& id : phase.count_ids) {
        Row& r = reviews.at(id);
        if (!r.counted && r.status == review::ReviewStatus::kActive) {
          r.counted = true;
          deltas[r.asin].Apply(r.rating, r.verified, +1);
          ++result.counted;
        }
      }
      for (const std::string& id : phase.uncount_ids) {
        Row& r = reviews.at(id);
        if (r.counted && r.status != review::ReviewStatus::kActive) {
          r.counted = false;
          deltas[r.asin].Apply(r.rating, r.verified, -1);
          ++result.uncounted;
        }
      }
    }
    std::set<std::string> out(touched.begin(), touched.end());
    for (auto& [asin, d] : deltas) {
      out.insert(asin);
      if (d.SameCounts(review::RatingAggregate{})) continue;
      review::RatingAggregate& p = products[asin];
      p.asin = asin;
      p.count += d.count;
      p.sum += d.sum;
      p.verified_count += d.verified_count;
      p.verified_sum += d.verified_sum;
      for (int i = 0; i < 5; ++i) p.stars[i] += d.stars[i];
      ++p.version;
      ++result.products_changed;
    }
    for (const std::string& asin : out) {
      if (auto it = products.find(asin); it != products.end()) {
        result.aggregates.push_back(it->second);
      }
    }
    return result;
  }

  std::map<std::string, Row> reviews;
  std::map<std::string, review::RatingAggregate> products;
  absl::Status error;
  int calls = 0;
};

class FakeCache final : public ratings::RatingCache {
 public:
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override {
    auto it = data.find(asin);
    if (it == data.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<bool> Put(const review::RatingAggregate& a) override {
    if (!error.ok()) return error;
    auto it = data.find(a.asin);
    if (it != data.end() && it->second.version >= a.version) return false;
    data[a.asin] = a;
    return true;
  }
  absl::Status Drop(const std::string& asin) override {
    data.erase(asin);
    return absl::OkStatus();
  }
  std::map<std::string, review::RatingAggregate> data;
  absl::Status error;
};

constexpr char kAsin[] = "B000000001";

LedgerEvent Accepted(const std::string& id) { return {id, kAsin, LedgerEvent::Kind::kCount}; }
LedgerEvent Removed(const std::string& id) { return {id, kAsin, LedgerEvent::Kind::kUncount}; }

class AggregatorTest : public ::testing::Test {
 protected:
  void AddReview(const std::string& id, int rating,
                 review::ReviewStatus status = review::ReviewStatus::kActive) {
    ledger_.reviews[id] = {kAsin, rating, rating % 2 == 0, status, false};
  }
  const review::RatingAggregate& Product() { return ledger_.products.at(kAsin); }

  FakeLedger ledger_;
  FakeCache cache_;
  Aggregator aggregator_{ledger_, cache_};
};

TEST_F(AggregatorTest, CountsOnceAndCacheMirrorsTheLedger) {
  AddReview("a", 5);
  AddReview("b", 2);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a"), Accepted("b"), Accepted("a")}).ok());
  ASSERT_TRUE(aggregator_.Apply({Accepted("a")}).ok());  // redelivered in a later batch
  EXPECT_EQ(Product().count, 2);
  EXPECT_EQ(Product().sum, 7);
  EXPECT_EQ(Product().version, 1);
  EXPECT_TRUE(cache_.data.at(kAsin).SameCounts(Product()));
  EXPECT_EQ(cache_.data.at(kAsin).version, 1);
}

TEST_F(AggregatorTest, AcceptedThenRemovedInOneBatchEndsUncounted) {
  AddReview("a", 4,
            review::ReviewStatus::kRemoved);  // moderation set the status before publishing Removed
  AddReview("b", 3);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a"), Accepted("b"), Removed("a")}).ok());
  EXPECT_FALSE(ledger_.reviews.at("a").counted);
  EXPECT_EQ(Product().count, 1);
  EXPECT_EQ(Product().sum, 3);
}

TEST_F(AggregatorTest, RemovalSubtractsExactlyAndALateAcceptedDoesNotRecount) {
  AddReview("a", 4);
  AddReview("b", 1);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a"), Accepted("b")}).ok());
  ledger_.reviews.at("a").status = review::ReviewStatus::kRemoved;
  ASSERT_TRUE(aggregator_.Apply({Removed("a")}).ok());
  EXPECT_EQ(Product().count, 1);
  EXPECT_EQ(Product().sum, 1);
  EXPECT_EQ(Product().stars[3], 0);
  EXPECT_EQ(Product().version, 2);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a"), Removed("a")}).ok());  // both redelivered
  EXPECT_EQ(Product().count, 1);
  EXPECT_EQ(Product().version, 2);
}

TEST_F(AggregatorTest, AReviewARescoreHeldOrRejectedStopsCounting) {
  AddReview("a", 5);
  AddReview("b", 2);
  AddReview("c", 4);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a"), Accepted("b"), Accepted("c")}).ok());
  ledger_.reviews.at("a").status = review::ReviewStatus::kHeld;
  ledger_.reviews.at("b").status = review::ReviewStatus::kRejected;
  ASSERT_TRUE(aggregator_.Apply({Removed("a"), Removed("b"), Removed("c")}).ok());
  EXPECT_TRUE(ledger_.reviews.at("c").counted);  // still active: a stale Removed changes nothing
  EXPECT_EQ(Product().count, 1);
  EXPECT_EQ(Product().sum, 4);
  EXPECT_EQ(Product().version, 2);
}

TEST_F(AggregatorTest, CacheFailureIsUnavailableAndTheRetryRepairsTheCache) {
  AddReview("a", 5);
  cache_.error = absl::UnavailableError("redis down");
  EXPECT_EQ(aggregator_.Apply({Accepted("a")}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Product().count, 1);  // the ledger committed
  EXPECT_TRUE(cache_.data.empty());
  cache_.error = absl::OkStatus();
  ASSERT_TRUE(aggregator_.Apply({Accepted("a")}).ok());  // the loop retries the same batch
  EXPECT_EQ(Product().count, 1);
  EXPECT_EQ(cache_.data.at(kAsin).count, 1);
  EXPECT_EQ(cache_.data.at(kAsin).version, 1);
}

TEST_F(AggregatorTest, LedgerFailureWritesNothing) {
  AddReview("a", 5);
  ledger_.error = absl::UnavailableError("postgres down");
  EXPECT_EQ(aggregator_.Apply({Accepted("a")}).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(cache_.data.empty());
}

TEST_F(AggregatorTest, HeldReviewDoesNotCount) {
  AddReview("a", 5, review::ReviewStatus::kHeld);
  ASSERT_TRUE(aggregator_.Apply({Accepted("a")}).ok());
  EXPECT_TRUE(ledger_.products.empty());
  EXPECT_TRUE(cache_.data.empty());
  EXPECT_EQ(aggregator_.stats().counted.load(), 0);
}

TEST_F(AggregatorTest, EmptyBatchDoesNotTouchTheLedger) {
  ASSERT_TRUE(aggregator_.Apply({}).ok());
  EXPECT_EQ(ledger_.calls, 0);
}

}  // namespace
}  // namespace candor::rating_aggregator
