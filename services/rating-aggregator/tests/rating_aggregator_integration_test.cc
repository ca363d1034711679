// The real App in-process: librdkafka's mock cluster for Kafka, the stack's Postgres and Redis.
#include <array>
#include <optional>

#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/app.h"

namespace candor::rating_aggregator {
namespace {

using candor::review::v1::ReviewEvent;
using review::ReviewStatus;

class RatingAggregatorIntegrationTest : public testing::ConsumerAppTest {
 protected:
  RatingAggregatorIntegrationTest() : ConsumerAppTest({events::kReviewEventsTopic}) {}

  std::string AddReview(int rating, bool verified, ReviewStatus status) {
    return reviewdb::testing::InsertReview(
        *pool_, {.asin = asin_, .rating = rating, .verified_purchase = verified, .status = status});
  }

  std::string Accepted(const std::string& id, int rating) {
    ReviewEvent e;
    e.set_review_id(id);
    e.set_asin(asin_);
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    e.mutable_accepted()->set_rating(rating);
    return e.SerializeAsString();
  }

  std::string Removed(const std::string& id) {
    ReviewEvent e;
    e.set_review_id(id);
    e.set_asin(asin_);
    e.mutable_removed()->set_reason_code("spam");
    return e.SerializeAsString();
  }

  std::optional<review::RatingAggregate> Stored() {
    ratings::PgRatingStore store(*pool_);
    auto got = store.Get(asin_);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  // Waits until product_ratings holds `count` reviews and Redis has caught up with it.
  bool WaitForCount(int64_t count) {
    ratings::RedisRatingCache cache(*redis_);
    return testing::WaitUntil([&] {
      auto stored = Stored();
      auto cached = cache.Get(asin_);
      return stored && stored->count == count && cached.ok() && cached->has_value() &&
             (*cached)->version == stored->version;
    });
  }

  std::string asin_ = testing::UniqueAsin();
};

TEST_F(RatingAggregatorIntegrationTest, AggregatesDeadLettersAndMovesOn) {
  Config config;
  UseStack(&config, "rating-aggregator-test-");
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));

  const std::string r1 = AddReview(5, true, ReviewStatus::kActive);
  const std::string r2 = AddReview(2, false, ReviewStatus::kActive);
  const std::string r3 = AddReview(4, true, ReviewStatus::kActive);
  const std::string queued = AddReview(1, false, ReviewStatus::kHeld);

  // Valid events, a duplicate, an event for a review that does not count, two poison messages,
  // and a valid event behind them on the same partition.
  Produce(asin_, Accepted(r1, 5));
  Produce(asin_, Accepted(r2, 2));
  Produce(asin_, Accepted(r1, 5));
  Produce(asin_, Accepted(queued, 1));
  Produce(asin_, "this is not a protobuf");
  ReviewEvent empty;  // no oneof case set
  empty.set_review_id(r3);
  empty.set_asin(asin_);
  Produce(asin_, empty.SerializeAsString());
  Produce(asin_, Accepted(r3, 4));
  ASSERT_TRUE(WaitForCount(3)) << "the partition did not move on";
  auto p = Stored();
  EXPECT_EQ(p->sum, 11);
  EXPECT_EQ(p->verified_count, 2);
  EXPECT_EQ(p->verified_sum, 9);
  EXPECT_EQ(p->stars, (std::array<int64_t, 5>{0, 1, 0, 1, 1}));

  // Moderation removes r2 (status first, then the event); a redelivered Accepted follows.
  reviewdb::testing::SetStatus(*pool_, r2, ReviewStatus::kRemoved);
  const int64_t version_before = Stored()->version;
  Produce(asin_, Removed(r2));
  Produce(asin_, Accepted(r2, 2));
  ASSERT_TRUE(WaitForCount(2));
  p = Stored();
  EXPECT_EQ(p->sum, 9);
  EXPECT_EQ(p->stars, (std::array<int64_t, 5>{0, 0, 0, 1, 1}));
  EXPECT_EQ(p->version, version_before + 1);
  ratings::RedisRatingCache cache(*redis_);
  auto cached = cache.Get(asin_);
  ASSERT_TRUE(cached.ok() && cached->has_value());
  EXPECT_TRUE((*cached)->SameCounts(*p));
  EXPECT_EQ((*cached)->version, p->version);

  // Both poison messages are on the dead-letter topic, bytes intact.
  std::vector<kafka::Message> dead =
      ReadTopic(events::DeadLetterTopic(events::kReviewEventsTopic), 2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "this is not a protobuf");
  EXPECT_EQ(dead[1].value, empty.SerializeAsString());
  EXPECT_EQ(dead[0].key, asin_);

  ExpectCleanStop();
}

TEST_F(RatingAggregatorIntegrationTest, StartupFailsFastWhenAStoreIsUnreachable) {
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(Config{}, CreateApp, kAdapters);
}

}  // namespace
}  // namespace candor::rating_aggregator
