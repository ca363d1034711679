// A submission that decodes and validates but that Postgres refuses, against the real App
// (librdkafka's mock cluster, the stack's Postgres and Redis): it is dead-lettered with the error
// and the partition moves on.
#include <string>

#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/tests/app_fixture.h"
#include "services/fraud-scorer/tests/submissions.h"

namespace candor::fraud_scorer {
namespace {

using candor::review::v1::ReviewSubmitted;
using testing::HeaderOf;

class FraudScorerDeadLetterTest : public FraudScorerAppTest {
 protected:
  // The stored fingerprint of `review_id`, or "" when it is not stored.
  std::string FingerprintOf(const std::string& review_id) {
    std::optional<reviewdb::testing::ReviewRow> row = StoredReview(review_id);
    return row ? row->fingerprint : "";
  }
};

// The review id is the fingerprint's first 32 hex characters, and validation checks only that
// derivation: a crafted fingerprint sharing a stored one's prefix passes it, but its row violates
// reviews_pkey (23505) however often it is tried. Before, the batch was retried forever and
// nothing behind it on the partition was stored.
TEST_F(FraudScorerDeadLetterTest, ASubmissionPostgresRefusesIsDeadLetteredAndThePartitionMovesOn) {
  Config config;
  config.scorer = "rules";
  UseStack(&config, "fraud-scorer-dlq-test-");
  config.consumer.max_apply_attempts = 2;
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));

  const std::string asin = testing::UniqueAsin();
  const ReviewSubmitted first =
      Submission(asin, testing::UniqueUser(), "Boils fast and the lid closes well.");
  Produce(asin, first.SerializeAsString());
  ASSERT_TRUE(WaitStored(first.review_id()));

  ReviewSubmitted crafted =
      Submission(asin, testing::UniqueUser(), "Works as described, would buy again.");
  crafted.set_fingerprint(first.fingerprint().substr(0, 32) + crafted.fingerprint().substr(32));
  crafted.set_review_id(review::ReviewIdFromFingerprint(crafted.fingerprint()));
  ASSERT_EQ(crafted.review_id(), first.review_id());
  ASSERT_NE(crafted.fingerprint(), first.fingerprint());
  const ReviewSubmitted after =
      Submission(asin, testing::UniqueUser(), "Does the job, nothing special, a bit loud.");
  Produce(asin, crafted.SerializeAsString());
  Produce(asin, after.SerializeAsString());

  ASSERT_TRUE(WaitStored(after.review_id())) << "the partition stalled behind the crafted message";
  std::vector<kafka::Message> dead =
      ReadTopic(events::DeadLetterTopic(events::kReviewSubmissionsTopic), 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, crafted.SerializeAsString());
  const std::string reason = HeaderOf(dead[0], "dlq-reason");
  EXPECT_TRUE(reason.starts_with("FAILED_PRECONDITION: postgres [23505]")) << reason;
  EXPECT_NE(reason.find("reviews_pkey"), std::string::npos) << reason;
  EXPECT_EQ(HeaderOf(dead[0], "dlq-attempts"), "2");
  // The stored review is untouched.
  EXPECT_EQ(FingerprintOf(first.review_id()), first.fingerprint());

  ExpectCleanStop();
}

}  // namespace
}  // namespace candor::fraud_scorer
