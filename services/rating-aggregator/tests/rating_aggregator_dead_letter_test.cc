// An event that decodes and validates but that Postgres refuses to apply, against the real App
// (librdkafka's mock cluster, the stack's Postgres and Redis): it is dead-lettered with the error
// and the partition moves on.
#include <string>

#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/app.h"

namespace candor::rating_aggregator {
namespace {

using candor::review::v1::ReviewEvent;
using review::ReviewStatus;

using testing::HeaderOf;

class RatingAggregatorDeadLetterTest : public testing::ConsumerAppTest {
 protected:
  RatingAggregatorDeadLetterTest() : ConsumerAppTest({events::kReviewEventsTopic}) {}

  std::string AddReview(const std::string& asin, ReviewStatus status, bool counted) {
    return reviewdb::testing::InsertReview(*pool_,
                                           {.asin = asin, .status = status, .counted = counted});
  }

  std::string Event(const std::string& id, const std::string& asin, bool removed) {
    ReviewEvent e;
    e.set_review_id(id);
    e.set_asin(asin);
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    if (removed) {
      e.mutable_removed()->set_reason_code("spam");
    } else {
      e.mutable_accepted()->set_rating(5);
    }
    return e.SerializeAsString();
  }

  // product_ratings.review_count of `asin`, -1 without a row.
  int64_t ReviewCount(const std::string& asin) {
    auto stored = reviewdb::ReviewDb(*pool_).GetRating(asin);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() && stored->has_value() ? (*stored)->count : -1;
  }
};

// A removal the ledger cannot take: the review is marked counted but the product's aggregate does
// not hold it (a ledger broken by hand or by a bug), so uncounting it would take review_count
// below zero and product_ratings' CHECK refuses it (23514) every time. Before, the batch was
// retried forever and every later event on the partition waited behind it.
TEST_F(RatingAggregatorDeadLetterTest,
       AnEventTheLedgerRefusesIsDeadLetteredAndThePartitionMovesOn) {
  Config config;
  UseStack(&config, "rating-aggregator-dlq-test-");
  config.consumer.max_apply_attempts = 2;

  // Two products, so that the good event's delta cannot net out the bad one's in a shared batch.
  const std::string corrupt_asin = testing::UniqueAsin();
  const std::string good_asin = testing::UniqueAsin();
  const std::string corrupt = AddReview(corrupt_asin, ReviewStatus::kRemoved, /*counted=*/true);
  const std::string good = AddReview(good_asin, ReviewStatus::kActive, /*counted=*/false);
  Produce(corrupt_asin, Event(corrupt, corrupt_asin, /*removed=*/true));
  Produce(good_asin, Event(good, good_asin, /*removed=*/false));
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));

  ASSERT_TRUE(testing::WaitUntil([&] { return ReviewCount(good_asin) == 1; }))
      << "the partition stalled behind the refused event";
  std::vector<kafka::Message> dead =
      ReadTopic(events::DeadLetterTopic(events::kReviewEventsTopic), 1);
  ASSERT_EQ(dead.size(), 1u);
  ReviewEvent e;
  ASSERT_TRUE(e.ParseFromString(dead[0].value));
  EXPECT_EQ(e.review_id(), corrupt);
  EXPECT_TRUE(e.has_removed());
  const std::string reason = HeaderOf(dead[0], "dlq-reason");
  EXPECT_TRUE(reason.starts_with("FAILED_PRECONDITION: postgres [23514]")) << reason;
  EXPECT_NE(reason.find("violates check constraint \"product_ratings_"), std::string::npos)
      << reason;
  // Nothing of the refused event was applied.
  EXPECT_LE(ReviewCount(corrupt_asin), 0);
  EXPECT_EQ(HeaderOf(dead[0], "dlq-attempts"), "2");

  ExpectCleanStop();
}

}  // namespace
}  // namespace candor::rating_aggregator
