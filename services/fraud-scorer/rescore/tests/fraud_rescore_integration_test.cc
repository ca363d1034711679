// candor-fraud-rescore's composition root (RunRescore) against the stack's Postgres and Redis and
// librdkafka's mock cluster, with the rating-aggregator's real App consuming review-events: an
// apply that flips reviews both ways leaves product_ratings equal to the sums of the counted
// active reviews (I2) and Redis equal to product_ratings (I3); a second apply changes nothing. The
// model is a rule on the rating (rescore_testing.h), so the test chooses the flips; everything
// else is the production path.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"
#include "libs/fraud/cidr_list.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/fraud-scorer/kafka_accepted_publisher.h"
#include "services/fraud-scorer/rescore/app.h"
#include "services/fraud-scorer/rescore/rescore_testing.h"
#include "services/rating-aggregator/app.h"

namespace candor::fraud_scorer::rescore {
namespace {

using review::ReviewStatus;
using ::testing::HasSubstr;

constexpr char kOldModel[] = "model-v1";
constexpr char kNewModel[] = "rating-rule-v2";

class FraudRescoreIntegrationTest : public candor::testing::ConsumerAppTest {
 protected:
  FraudRescoreIntegrationTest() : ConsumerAppTest({events::kReviewEventsTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    db_ = std::make_unique<reviewdb::ReviewDb>(*pool_);
    rating_aggregator::Config config;
    UseStack(&config, "rescore-aggregator-");
    config.heal_interval_ms = 0;  // every Redis write in this test is the aggregator's own
    ASSERT_NO_FATAL_FAILURE(StartApp(rating_aggregator::CreateApp(config)));
  }

  // Stores a review as fraud-scorer does (InsertScored), decided `decision` by the old model.
  std::string Store(const std::string& name, const std::string& decision, int rating,
                    bool verified) {
    reviewdb::NewReview r;
    review::Submission& s = r.submission;
    s.asin = asin_;
    s.user_id = candor::testing::UniqueUser(name + "-");
    s.rating = rating;
    s.title = "About this " + name;
    s.body = absl::StrCat("What I think of it, as ", s.user_id, ": ", rating, " stars.");
    s.verified_purchase = verified;
    s.fingerprint = review::Fingerprint(s.asin, s.user_id, s.body);
    s.review_id = review::ReviewIdFromFingerprint(s.fingerprint);
    s.submitted_at = t0_ + absl::Seconds(static_cast<int64_t>(ids_.size()));
    s.client_ip = "198.51.100.23";
    s.device_id = "device-" + s.user_id;
    r.decision = decision;
    r.status = decision == "queue"    ? ReviewStatus::kHeld
               : decision == "reject" ? ReviewStatus::kRejected
                                      : ReviewStatus::kActive;
    r.scorer = kOldModel;
    r.fraud_score = 0.2;
    if (decision == reviewdb::kUnscoredDecision) {
      r.reasons = {{.code = "features_unavailable", .value = 0, .weight = 0, .text = "down"}};
    }
    r.queue_reason = "held by " + std::string(kOldModel);
    auto stored = db_->InsertScored({r});
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (stored.ok()) stored_[name] = stored->front();
    ids_[name] = s.review_id;
    return s.review_id;
  }

  // Announces `name` as fraud-scorer announces an active review.
  void Accept(const std::string& name) {
    Produce(asin_, events::EncodeReviewEvent(AcceptedEvent(stored_.at(name))));
    ++events_on_topic_;
  }

  // A re-score of this test's product with the rule model: the time range of its reviews, or its
  // unscored ones. The summary goes to `out`.
  absl::Status Rescore(bool apply, bool unscored, Report& report, std::string* out = nullptr) {
    Config config;
    config.asin = asin_;
    config.apply = apply;
    config.unscored = unscored;
    if (!unscored) {
      config.from = absl::FormatTime(absl::RFC3339_full, t0_, absl::UTCTimeZone());
      config.to =
          absl::FormatTime(absl::RFC3339_full, t0_ + absl::Minutes(10), absl::UTCTimeZone());
    }
    config.batch = 4;  // several batches, each its own transaction and events
    config.pg_dsn = candor::testing::PgDsn();
    config.redis_addr = candor::testing::RedisAddr();
    config.kafka_brokers = cluster_.bootstrap();
    EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
    std::ostringstream summary;
    std::ostringstream progress;
    absl::Status s = RunRescore(config, model_, datacenters_, report, summary, progress);
    if (out != nullptr) *out = summary.str();
    return s;
  }

  std::map<std::string, int> AuditCounts() {
    std::map<std::string, int> counts;
    for (const auto& [name, id] : ids_) {
      counts[name] = static_cast<int>(reviewdb::testing::AuditOf(*pool_, id).size());
    }
    return counts;
  }

  ReviewStatus StatusOf(const std::string& name) {
    return *reviewdb::testing::ReadReview(*pool_, ids_.at(name))->status;
  }

  // I2 and I3 for this product, once consumers drain: every review counted exactly while
  // active, product_ratings equal to the sums over the counted reviews, Redis equal to
  // product_ratings at the same version.
  bool Exact() {
    for (const reviewdb::testing::ReviewRow& r : reviewdb::testing::ReviewsOf(*pool_, asin_)) {
      if (r.counted != review::Counts(*r.status)) return false;
    }
    auto stored = db_->GetRating(asin_);
    auto sums = db_->CountedSums({asin_});
    ratings::RedisRatingCache cache(*redis_);
    auto cached = cache.Get(asin_);
    if (!stored.ok() || !stored->has_value() || !sums.ok() || sums->size() != 1 || !cached.ok() ||
        !cached->has_value()) {
      return false;
    }
    return (*stored)->SameCounts(sums->front()) && (*cached)->SameCounts(**stored) &&
           (*cached)->version == (*stored)->version;
  }

  review::RatingAggregate Rating() {
    auto stored = db_->GetRating(asin_);
    EXPECT_TRUE(stored.ok() && stored->has_value());
    return stored.ok() && stored->has_value() ? **stored : review::RatingAggregate{};
  }

  std::unique_ptr<reviewdb::ReviewDb> db_;
  std::string asin_ = candor::testing::UniqueAsin();
  absl::Time t0_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(2)));
  std::map<std::string, std::string> ids_;
  std::map<std::string, reviewdb::StoredReview> stored_;
  size_t events_on_topic_ = 0;
  testing::RatingRuleModel model_{kNewModel};
  fraud::CidrList datacenters_;
};

TEST_F(FraudRescoreIntegrationTest, ApplyKeepsTheAggregatesExactAndTwiceChangesNothing) {
  // The rule model rejects 1 star, queues 2, passes the rest.
  Store("stays", "pass", 5, true);
  Store("rejected", "pass", 1, false);
  Store("queued", "pass", 2, true);
  Store("held-passes", "queue", 4, true);
  Store("rejected-passes", "reject", 3, false);
  Store("rejected-stays", "reject", 1, false);
  Store("unscored-passes", reviewdb::kUnscoredDecision, 5, false);
  Store("unscored-rejected", reviewdb::kUnscoredDecision, 1, true);
  Store("other", "pass", 4, false);
  Store("approved", "queue", 1, false);
  // A moderator approved one held review (status first, then its event), which a re-score leaves.
  ASSERT_TRUE(
      db_->Transition({ids_.at("approved")}, ReviewStatus::kHeld, ReviewStatus::kActive).ok());
  for (const char* name : {"stays", "rejected", "queued", "unscored-passes", "unscored-rejected",
                           "other", "approved"}) {
    Accept(name);
  }
  ASSERT_TRUE(candor::testing::WaitUntil([&] { return Exact() && Rating().count == 7; }));

  // Shadow, on the unscored ones: what would change, and nothing written.
  const std::map<std::string, int> audits = AuditCounts();
  const int64_t version = Rating().version;
  Report shadow(3);
  std::string summary;
  ASSERT_TRUE(Rescore(/*apply=*/false, /*unscored=*/true, shadow, &summary).ok());
  EXPECT_EQ(shadow.read(), 2);
  EXPECT_EQ(shadow.decided(), 2);
  EXPECT_EQ(shadow.events(), 1);
  EXPECT_THAT(summary, HasSubstr("shadow run of model rating-rule-v2"));
  EXPECT_THAT(summary, HasSubstr("  unscored -> reject        1\n      " +
                                 ids_.at("unscored-rejected") + " (score 0.900): rating=1"));
  EXPECT_THAT(summary, HasSubstr("  active   -> rejected        1  Removed"));
  EXPECT_EQ(AuditCounts(), audits);
  EXPECT_EQ(StatusOf("unscored-rejected"), ReviewStatus::kActive);
  EXPECT_EQ(Rating().version, version);

  // Apply, on the time range: both ways.
  Report applied(3);
  ASSERT_TRUE(Rescore(/*apply=*/true, /*unscored=*/false, applied, &summary).ok()) << summary;
  EXPECT_EQ(applied.read(), 10);
  EXPECT_EQ(applied.decided(), 9);
  EXPECT_EQ(applied.events(), 5);
  EXPECT_EQ(applied.unscored(), 0);
  EXPECT_THAT(summary, HasSubstr("1  decided by a moderator"));
  events_on_topic_ += 5;
  EXPECT_EQ(StatusOf("stays"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("rejected"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("queued"), ReviewStatus::kHeld);
  EXPECT_EQ(StatusOf("held-passes"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("rejected-passes"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("rejected-stays"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("unscored-passes"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("unscored-rejected"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("approved"), ReviewStatus::kActive);
  const std::vector<reviewdb::testing::AuditRow> audit =
      reviewdb::testing::AuditOf(*pool_, ids_.at("unscored-passes"));
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit.back().decision, "pass");
  EXPECT_EQ(audit.back().scorer, kNewModel);
  EXPECT_EQ(reviewdb::testing::AuditOf(*pool_, ids_.at("approved")).size(), 1u);
  EXPECT_EQ(reviewdb::testing::QueueEntryOf(*pool_, ids_.at("queued"))->state, "open");
  EXPECT_EQ(reviewdb::testing::QueueEntryOf(*pool_, ids_.at("held-passes"))->state,
            reviewdb::kQueueStateRescored);

  // I2 and I3, exactly: the active reviews are stays 5V, held-passes 4V, rejected-passes 3,
  // unscored-passes 5, other 4 and approved 1.
  ASSERT_TRUE(candor::testing::WaitUntil([&] { return Exact() && Rating().count == 6; }));
  const review::RatingAggregate after = Rating();
  EXPECT_EQ(after.sum, 22);
  EXPECT_EQ(after.verified_count, 2);
  EXPECT_EQ(after.verified_sum, 9);
  EXPECT_EQ(after.stars, (std::array<int64_t, 5>{1, 0, 1, 2, 2}));

  // Again: everything in range is this model's decision or a moderator's; nothing moves, no
  // audit row, no event. The next message on the topic is one the test sends after the run.
  const std::map<std::string, int> audits_after = AuditCounts();
  Report again(3);
  ASSERT_TRUE(Rescore(/*apply=*/true, /*unscored=*/false, again, &summary).ok()) << summary;
  EXPECT_EQ(again.decided(), 0);
  EXPECT_EQ(again.events(), 0);
  EXPECT_THAT(summary, HasSubstr("9  already decided by this model"));
  Report unscored(3);
  ASSERT_TRUE(Rescore(/*apply=*/true, /*unscored=*/true, unscored).ok());
  EXPECT_EQ(unscored.read(), 0);
  EXPECT_EQ(AuditCounts(), audits_after);
  const std::string sentinel = events::EncodeReviewEvent(AcceptedEvent(stored_.at("stays")));
  Produce(asin_, sentinel);
  std::vector<kafka::Message> topic = ReadTopic(events::kReviewEventsTopic, events_on_topic_ + 1);
  ASSERT_EQ(topic.size(), events_on_topic_ + 1);
  EXPECT_EQ(topic.back().value, sentinel);
  EXPECT_TRUE(Exact());
  EXPECT_EQ(Rating().version, after.version);
  ExpectCleanStop();
}

}  // namespace
}  // namespace candor::fraud_scorer::rescore
