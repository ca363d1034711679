// The real App with --scorer model (the committed model in models/fraud, the Redis feature store):
// decisions carry the model's version and reasons, a near-duplicate farm on one product is caught,
// and with its Redis down the scorer fails open (stored active, counted, audited "unscored") and
// scores again once Redis is back.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/fraud/features.h"
#include "libs/fraud/model.h"
#include "libs/kafka/kafka.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/tests/app_fixture.h"
#include "services/fraud-scorer/tests/submissions.h"

namespace candor::fraud_scorer {
namespace {

using candor::review::v1::ReviewEvent;
using candor::review::v1::ReviewSubmitted;
using review::ReviewStatus;

const std::string kModel = std::string(CANDOR_SOURCE_DIR) + "/models/fraud/current.json";
const std::string kCidrs = std::string(CANDOR_SOURCE_DIR) + "/models/fraud/datacenter-cidrs.txt";

class FraudScorerModelTest : public FraudScorerAppTest {
 protected:
  void SetUp() override {
    FraudScorerAppTest::SetUp();
    absl::StatusOr<std::unique_ptr<fraud::FraudModel>> model = fraud::FraudModel::Load(kModel);
    ASSERT_TRUE(model.ok()) << model.status();
    version_ = (*model)->metadata().version;
  }

  Config ModelConfig(const std::string& group_prefix) {
    Config config;
    config.scorer = "model";
    config.model.model_path = kModel;
    config.model.datacenter_cidrs_path = kCidrs;
    UseStack(&config, group_prefix);
    return config;
  }

  // The latest audit row of `review_id` once it is stored; fails the test when it never is.
  reviewdb::testing::AuditRow DecisionOf(const std::string& review_id) {
    EXPECT_TRUE(WaitStored(review_id)) << review_id;
    std::vector<reviewdb::testing::AuditRow> audit = reviewdb::testing::AuditOf(*pool_, review_id);
    EXPECT_FALSE(audit.empty()) << review_id;
    return audit.empty() ? reviewdb::testing::AuditRow{} : audit.back();
  }

  // How many Accepted events for `review_id` are on review-events among the first `want`.
  int AcceptedOf(const std::string& review_id, size_t want) {
    int n = 0;
    for (const kafka::Message& m : ReadTopic(events::kReviewEventsTopic, want)) {
      ReviewEvent e;
      if (e.ParseFromString(m.value) && e.has_accepted() && e.review_id() == review_id) ++n;
    }
    return n;
  }

  std::string version_;
};

bool IsReasonCode(const std::string& code) {
  for (std::string_view name : fraud::FeatureNames()) {
    if (code == name || code == "clamped:" + std::string(name)) return true;
  }
  return false;
}

TEST_F(FraudScorerModelTest, DecidesWithTheModelAndCatchesANearDuplicateFarm) {
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(ModelConfig("fraud-scorer-model-test-"))));

  // A verified shopper's ordinary review passes, decided by the model's version, with reasons
  // that are feature codes.
  const std::string asin = testing::UniqueAsin();
  const ReviewSubmitted genuine = Submission(
      asin, testing::UniqueUser(),
      "I bought this for my daughter's first guitar. The tuning pegs hold well and the strings "
      "it came with were fine for a few weeks, then we swapped them for a brighter set.",
      {.rating = 4, .title = "Good starter guitar", .verified_purchase = true});
  Produce(asin, genuine.SerializeAsString());
  const reviewdb::testing::AuditRow g = DecisionOf(genuine.review_id());
  EXPECT_EQ(g.scorer, version_);
  EXPECT_EQ(g.decision, "pass") << "score " << g.score;
  EXPECT_GE(g.score, 0.0);
  EXPECT_LT(g.score, 0.30);
  for (const review::Reason& r : g.reasons) EXPECT_TRUE(IsReasonCode(r.code)) << r.code;

  // A farm: 40 fresh accounts post the same five-star text with one word changed, on one
  // product, seconds apart. The first few look like anyone; as the cluster of near-duplicates
  // from distinct accounts grows and the product's velocity and new-account share rise, the model
  // holds or rejects them.
  const std::string farmed = testing::UniqueAsin();
  const std::vector<std::string> words = {"amazing", "awesome", "superb",    "fantastic",
                                          "great",   "perfect", "wonderful", "excellent"};
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    const std::string body = absl::StrCat(
        "This is the most ", words[i % words.size()],
        " tuner I have ever owned, it locks on instantly and the display is bright and clear. "
        "Highly recommend to every guitar player out there, buy it now ",
        i);
    ReviewSubmitted s =
        Submission(farmed, testing::UniqueUser(), body, {.rating = 5, .title = "Best tuner ever"});
    Produce(farmed, s.SerializeAsString());
    ids.push_back(s.review_id());
  }
  int caught = 0;
  for (size_t i = 20; i < ids.size(); ++i) {
    const reviewdb::testing::AuditRow d = DecisionOf(ids[i]);
    EXPECT_EQ(d.scorer, version_);
    if (d.decision == "queue" || d.decision == "reject") ++caught;
  }
  EXPECT_GE(caught, 18) << "of the farm's last 20 reviews, only " << caught
                        << " were held or rejected";

  ExpectCleanStop();
}

TEST_F(FraudScorerModelTest, FailsOpenWhileRedisIsDownAndScoresAgainWhenItIsBack) {
  testing::RedisServer redis;
  Config config = ModelConfig("fraud-scorer-failopen-test-");
  config.service.redis_addr = redis.address();
  config.service.redis_timeout_ms = 300;
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));

  const std::string asin = testing::UniqueAsin();
  const ReviewSubmitted before =
      Submission(asin, testing::UniqueUser(), "Sturdy stand, folds flat, holds my bass securely.",
                 {.rating = 5, .verified_purchase = true});
  Produce(asin, before.SerializeAsString());
  EXPECT_EQ(DecisionOf(before.review_id()).scorer, version_);

  // Redis goes away: the review is stored active and published (so it is counted), its audit
  // row says unscored and why; nothing waits for Redis.
  redis.Kill();
  const ReviewSubmitted during =
      Submission(asin, testing::UniqueUser(), "The clip broke after a month of light use.",
                 {.rating = 2, .verified_purchase = true});
  Produce(asin, during.SerializeAsString());
  const reviewdb::testing::AuditRow d = DecisionOf(during.review_id());
  EXPECT_EQ(d.decision, "unscored");
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reasons[0].code, "features_unavailable");
  std::optional<reviewdb::testing::ReviewRow> row = StoredReview(during.review_id());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, ReviewStatus::kActive);
  EXPECT_EQ(AcceptedOf(during.review_id(), 2), 1);

  // Redis is back: the next review is scored by the model again.
  redis.Restart();
  const ReviewSubmitted after =
      Submission(asin, testing::UniqueUser(), "Good value, the padding is thick enough for travel.",
                 {.rating = 4, .verified_purchase = true});
  // The client may take a moment to reconnect; a review scored while it does is unscored, so
  // send until one is scored (each one distinct).
  int attempt = 0;
  ASSERT_TRUE(testing::WaitUntil([&] {
    const ReviewSubmitted probe =
        attempt++ == 0 ? after
                       : Submission(asin, testing::UniqueUser(),
                                    absl::StrCat("Good value, padding thick enough ", attempt),
                                    {.rating = 4, .verified_purchase = true});
    Produce(asin, probe.SerializeAsString());
    return DecisionOf(probe.review_id()).decision != "unscored";
  })) << "the scorer did not score again after Redis came back";

  ExpectCleanStop();
}

}  // namespace
}  // namespace candor::fraud_scorer
