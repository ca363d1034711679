// The real App in-process: librdkafka's mock cluster for Kafka, the stack's Postgres and Redis.
#include <map>

#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/redis_behaviour_window.h"
#include "services/fraud-scorer/tests/app_fixture.h"
#include "services/fraud-scorer/tests/submissions.h"

namespace candor::fraud_scorer {
namespace {

using candor::review::v1::ReviewEvent;
using candor::review::v1::ReviewSubmitted;
using review::ReviewStatus;

class FraudScorerIntegrationTest : public FraudScorerAppTest {
 protected:
  // The stored status, or nullopt when the review is not stored.
  std::optional<ReviewStatus> StatusOf(const std::string& review_id) {
    std::optional<reviewdb::testing::ReviewRow> row = StoredReview(review_id);
    return row ? row->status : std::nullopt;
  }

  // Accepted events per review id, with a check that each is well-formed.
  std::map<std::string, int> AcceptedCounts(size_t want) {
    std::map<std::string, int> counts;
    for (const kafka::Message& m : ReadTopic(events::kReviewEventsTopic, want)) {
      ReviewEvent e;
      EXPECT_TRUE(e.ParseFromString(m.value));
      EXPECT_TRUE(e.has_accepted());
      EXPECT_EQ(m.key, e.asin());
      EXPECT_GT(e.occurred_at().seconds(), 0);
      ++counts[e.review_id()];
    }
    return counts;
  }
};

TEST_F(FraudScorerIntegrationTest, ScoresStoresPublishesDeadLettersAndMovesOn) {
  Config config;
  config.scorer = "rules";  // fixed decisions: the text rules queue the shouty one
  UseStack(&config, "fraud-scorer-test-");
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));

  const std::string asin = testing::UniqueAsin();
  const std::string user1 = testing::UniqueUser();
  ReviewSubmitted genuine =
      Submission(asin, user1, "Boils fast and the lid closes well. Handle gets warm.",
                 {.rating = 4, .title = "Solid kettle", .verified_purchase = true});
  ReviewSubmitted shouty =
      Submission(asin, testing::UniqueUser(), "BUY IT NOW!!!",
                 {.rating = 5, .title = "BEST EVER!!!!", .verified_purchase = true});
  ReviewSubmitted after_poison =
      Submission(asin, testing::UniqueUser(), "Does the job, nothing special, a bit loud.",
                 {.rating = 3, .title = "Okay", .verified_purchase = true});

  // 1. Two valid submissions: one passes, one is queued (text rules only: 0.60).
  Produce(asin, genuine.SerializeAsString());
  Produce(asin, shouty.SerializeAsString());
  ASSERT_TRUE(WaitStored(genuine.review_id()));
  ASSERT_TRUE(WaitStored(shouty.review_id()));
  EXPECT_EQ(StatusOf(genuine.review_id()), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf(shouty.review_id()), ReviewStatus::kHeld);
  ASSERT_EQ(AcceptedCounts(1)[genuine.review_id()], 1);

  // 2. A redelivery of the first (the gateway retried, or Kafka redelivered), then a poison
  // message, then one more valid submission behind it on the same partition.
  Produce(asin, genuine.SerializeAsString());
  Produce(asin, "this is not a protobuf");
  ReviewSubmitted invalid = Submission(asin, testing::UniqueUser(), "valid text here",
                                       {.rating = 4, .title = "x", .verified_purchase = true});
  invalid.set_review_id("0123456789abcdef0123456789abcdef");  // not derived from the fingerprint
  Produce(asin, invalid.SerializeAsString());
  Produce(asin, after_poison.SerializeAsString());
  ASSERT_TRUE(WaitStored(after_poison.review_id())) << "the partition did not move on";
  EXPECT_EQ(StatusOf(after_poison.review_id()), ReviewStatus::kActive);

  // Accepted: the genuine review twice (re-published on redelivery), the later one once, the
  // queued one never.
  std::map<std::string, int> accepted = AcceptedCounts(3);
  EXPECT_EQ(accepted[genuine.review_id()], 2);
  EXPECT_EQ(accepted[after_poison.review_id()], 1);
  EXPECT_EQ(accepted.count(shouty.review_id()), 0u);
  EXPECT_EQ(accepted.size(), 2u);

  // The poison messages went to the dead-letter topic, bytes intact.
  std::vector<kafka::Message> dead =
      ReadTopic(events::DeadLetterTopic(events::kReviewSubmissionsTopic), 2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "this is not a protobuf");
  EXPECT_EQ(dead[1].value, invalid.SerializeAsString());
  EXPECT_EQ(StatusOf(invalid.review_id()), std::nullopt);

  // Exactly one row, one audit row per review; one queue row for the queued one.
  EXPECT_EQ(reviewdb::testing::ReviewsOf(*pool_, asin).size(), 3u);
  EXPECT_EQ(reviewdb::testing::AuditOf(*pool_, genuine.review_id()).size(), 1u);
  std::vector<reviewdb::testing::AuditRow> audit =
      reviewdb::testing::AuditOf(*pool_, shouty.review_id());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].decision, "queue");
  EXPECT_TRUE(reviewdb::testing::QueueEntryOf(*pool_, shouty.review_id()).has_value());
  // The behaviour window holds the genuine review once although it was scored twice.
  auto card = redis_->Command({"ZCARD", RedisBehaviourWindow::ReviewsKey(user1)});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->integer, 1);

  ExpectCleanStop();
}

TEST_F(FraudScorerIntegrationTest, StartupFailsFastWhenAStoreIsUnreachable) {
  Config config;
  config.scorer = "rules";
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(config, CreateApp, kAdapters);
}

TEST_F(FraudScorerIntegrationTest, StartupFailsOnBadThresholds) {
  Config config;
  config.scorer = "rules";
  UseStack(&config, "fraud-scorer-test-");
  config.model.queue_threshold = 0.8;  // above the reject threshold
  EXPECT_EQ(CreateApp(config).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::fraud_scorer
