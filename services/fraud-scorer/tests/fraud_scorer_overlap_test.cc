// The fraud-scorer's two-stage consume loop (kafka::RunBatchLoop with SubmissionConsumer: batch
// N+1 scored while batch N is stored and published) on the real ports: the model scorer over the
// Redis feature store, the Postgres repository and the Kafka publisher, on the stack and the mock
// cluster. A scorer stopped between the stages, with one batch stored but not published or
// committed and the next one scored but not stored, loses nothing after a restart, stores nothing
// twice, counts no review twice in the behaviour windows, and announces in offset order.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/core/clock.h"
#include "libs/events/review_submitted.h"
#include "libs/events/topics.h"
#include "libs/fraud/features.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/fraud/review_facts.h"
#include "libs/kafka/batch_loop.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/kafka_testing.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/fraud-scorer/config.h"
#include "services/fraud-scorer/intake.h"
#include "services/fraud-scorer/kafka_accepted_publisher.h"
#include "services/fraud-scorer/model_scorer.h"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/fraud-scorer/submission_consumer.h"
#include "services/fraud-scorer/tests/app_fixture.h"
#include "services/fraud-scorer/tests/submissions.h"

namespace candor::fraud_scorer {
namespace {

using candor::review::v1::ReviewEvent;

const std::string kModel = std::string(CANDOR_SOURCE_DIR) + "/models/fraud/current.json";
const std::string kCidrs = std::string(CANDOR_SOURCE_DIR) + "/models/fraud/datacenter-cidrs.txt";

constexpr int kUsers = 4;
constexpr int kPerUser = 5;
constexpr int kReviews = kUsers * kPerUser;
constexpr size_t kBatch = 5;

// Counts the batches scored.
class CountingScorer final : public Scorer {
 public:
  explicit CountingScorer(Scorer& inner) : inner_(inner) {}
  absl::StatusOr<Decision> Score(const review::Submission& s, absl::Time now) override {
    return inner_.Score(s, now);
  }
  std::vector<absl::StatusOr<Decision>> ScoreBatch(const std::vector<review::Submission>& batch,
                                                   absl::Time now) override {
    auto out = inner_.ScoreBatch(batch, now);
    batches.fetch_add(1);
    return out;
  }
  std::atomic<int> batches{0};

 private:
  Scorer& inner_;
};

// The repository of a scorer killed after its second transaction committed: that Store commits,
// then waits until the next batch has been scored (which the overlap does meanwhile), then fails
// as if the process died there, and asks the loop to stop. Whether the next batch was scored
// meanwhile lands in `overlapped`, which the test owns: the repository dies with its process.
class KilledAfterSecondCommit final : public ReviewRepository {
 public:
  KilledAfterSecondCommit(ReviewRepository& inner, const CountingScorer& scorer,
                          std::atomic<bool>& stop, std::atomic<bool>& overlapped)
      : inner_(inner), scorer_(scorer), stop_(stop), overlapped_(overlapped) {}
  absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) override {
    auto stored = inner_.Store(reviews);
    if (++stores_ != 2 || !stored.ok()) return stored;
    overlapped_ = testing::WaitUntil([&] { return scorer_.batches.load() >= 3; });
    stop_ = true;
    return absl::UnavailableError("killed after the commit");
  }

 private:
  ReviewRepository& inner_;
  const CountingScorer& scorer_;
  std::atomic<bool>& stop_;
  std::atomic<bool>& overlapped_;
  int stores_ = 0;  // Store's thread only
};

class FraudScorerOverlapTest : public FraudScorerAppTest {
 protected:
  void SetUp() override {
    FraudScorerAppTest::SetUp();
    absl::StatusOr<ModelFiles> files = LoadModelFiles(kModel, kCidrs);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = *std::move(files);
    prefix_ = absl::StrCat("ovt:", testing::UniqueUser("p"), ":");
    group_ = testing::UniqueUser("fraud-overlap");
    loop_.max_batch = kBatch;
    loop_.linger = absl::Milliseconds(500);  // whole batches of kBatch: all are produced before
    loop_.initial_backoff = absl::Milliseconds(20);
  }

  // One scorer process: the service's ports (app.cc) over the stack, the repository wrapped by
  // `wrap` when given; runs the consume loop until `stop`. Returns its intake's stats:
  // {inserted, duplicates}.
  std::pair<int64_t, int64_t> RunScorer(std::atomic<bool>& stop, const std::function<bool()>& done,
                                        const std::function<std::unique_ptr<ReviewRepository>(
                                            ReviewRepository&, const CountingScorer&)>& wrap) {
    core::SystemClock clock;
    fraud::RedisFeatureStore features(*redis_, clock, {}, prefix_);
    ModelScorer model(features, *files_.model, files_.datacenters, Thresholds{});
    CountingScorer scorer(model);
    PgReviewRepository pg(*pool_);
    std::unique_ptr<ReviewRepository> wrapped = wrap ? wrap(pg, scorer) : nullptr;
    KafkaAcceptedPublisher publisher(*producer_, events::kReviewEventsTopic, absl::Seconds(10));
    ReviewIntake intake(scorer, wrapped ? *wrapped : pg, publisher, clock);
    SubmissionHandler handler = SubmissionConsumer(intake);
    auto consumer = kafka::Consumer::Create(
        kafka::ClientOptions{cluster_.bootstrap(), "fraud-overlap-test", {}}, group_,
        {events::kReviewSubmissionsTopic});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return {};
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    kafka::BatchLoopStats stats;
    absl::Status run = kafka::RunBatchLoop(
        **consumer, *producer_, handler, loop_,
        [&] { return stop.load() || done() || absl::Now() > deadline; }, &stats);
    EXPECT_TRUE(run.ok()) << run;
    (*consumer)->Close();
    return {intake.stats().inserted.load(), intake.stats().duplicates.load()};
  }

  // The prior reviews the feature store holds for `user`: what a new review of theirs reads.
  float LifetimeReviews(const std::string& user, int index) {
    core::SystemClock clock;
    fraud::RedisFeatureStore features(*redis_, clock, {}, prefix_);
    auto probe = events::DecodeReviewSubmitted(
        Submission(absl::StrCat("B0PROBE", 100 + index), user, "a probe that nobody reads")
            .SerializeAsString());
    EXPECT_TRUE(probe.ok()) << probe.status();
    auto rows = features.RecordBatch({fraud::FactsOf(*probe)});
    EXPECT_TRUE(rows.front().ok()) << rows.front().status();
    return rows.front().ok() ? fraud::At(rows.front()->values, fraud::Feature::kLifetimeReviews)
                             : -1.0F;
  }

  ModelFiles files_;
  std::string prefix_;
  std::string group_;
  kafka::BatchLoopOptions loop_;
};

TEST_F(FraudScorerOverlapTest, StoppedBetweenStagesLosesNothingAndStoresNothingTwice) {
  // kUsers accounts, each reviewing kPerUser products, interleaved so every batch has reviews of
  // every account; all produced before the scorer starts, so batches are whole.
  std::vector<std::string> ids, users;
  for (int u = 0; u < kUsers; ++u) users.push_back(testing::UniqueUser("ovt"));
  for (int i = 0; i < kReviews; ++i) {
    const std::string asin = absl::StrCat("B0OVT", 10000 + i);
    auto m = Submission(asin, users[i % kUsers],
                        absl::StrCat("Review ", i, ": sturdy, sounds right, would buy again."));
    ids.push_back(m.review_id());
    Produce(asin, m.SerializeAsString());
  }

  // First run: batch 1 stored, published and committed; batch 2 stored, then "killed" before
  // its Accepted events and its commit, while batch 3 was already scored (its features recorded).
  std::atomic<bool> stop{false};
  std::atomic<bool> overlapped{false};
  bool wrapped = false;
  auto [inserted1, duplicates1] = RunScorer(
      stop, [] { return false; },
      [&](ReviewRepository& pg, const CountingScorer& s) {
        wrapped = true;
        return std::make_unique<KilledAfterSecondCommit>(pg, s, stop, overlapped);
      });
  ASSERT_TRUE(wrapped);
  EXPECT_TRUE(overlapped.load()) << "batch 3 was not scored while batch 2 was stored";
  // The intake counts batch 1 only: batch 2's transaction committed, but the "process" died
  // before it heard so.
  EXPECT_EQ(inserted1, static_cast<int64_t>(kBatch));
  for (int i = 0; i < kReviews; ++i) {
    EXPECT_EQ(StoredReview(ids[i]).has_value(), i < 2 * static_cast<int>(kBatch)) << i;
  }

  // Restart: everything from batch 2 on is delivered again; batch 2 is found stored, the rest is
  // stored once.
  std::atomic<bool> no_stop{false};
  int64_t stored_all = 0;
  auto [inserted2, duplicates2] = RunScorer(
      no_stop,
      [&] {
        if (stored_all > 0) return true;
        for (const std::string& id : ids) {
          if (!StoredReview(id).has_value()) return false;
        }
        stored_all = 1;
        return false;  // one more turn of the loop: the last batch is committed on finishing
      },
      nullptr);
  EXPECT_EQ(inserted2, kReviews - 2 * static_cast<int64_t>(kBatch));
  EXPECT_EQ(duplicates2, static_cast<int64_t>(kBatch));
  EXPECT_EQ(duplicates1, 0);

  // Every review stored once, with one audit row.
  for (const std::string& id : ids) {
    ASSERT_TRUE(StoredReview(id).has_value()) << id;
    EXPECT_EQ(reviewdb::testing::AuditOf(*pool_, id).size(), 1u) << id;
  }

  // The behaviour windows count every review once, though batches 2 and 3 were scored twice.
  for (int u = 0; u < kUsers; ++u) EXPECT_EQ(LifetimeReviews(users[u], u), kPerUser) << users[u];

  // Accepted for every active review once, in offset order: batch 1 was announced before the
  // stop and committed, batch 2 only after the restart (its first Store failed before publishing).
  std::vector<std::string> active;
  for (const std::string& id : ids) {
    if (StoredReview(id)->status == review::ReviewStatus::kActive) active.push_back(id);
  }
  EXPECT_GT(active.size(), kBatch);
  std::vector<std::string> announced;
  for (const kafka::Message& m : ReadTopic(events::kReviewEventsTopic, active.size())) {
    ReviewEvent e;
    ASSERT_TRUE(e.ParseFromString(m.value));
    if (e.has_accepted()) announced.push_back(e.review_id());
  }
  EXPECT_EQ(announced, active);

  // Everything is committed: the group's next message is a new one.
  auto m = Submission("B0OVTNEXT1", testing::UniqueUser("ovt"), "after the restart, nothing left");
  Produce("B0OVTNEXT1", m.SerializeAsString());
  auto consumer =
      kafka::Consumer::Create(kafka::ClientOptions{cluster_.bootstrap(), "fraud-overlap-test", {}},
                              group_, {events::kReviewSubmissionsTopic});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::vector<kafka::Message> next = kafka::testing::Drain(**consumer, 1, absl::Seconds(20));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].key, "B0OVTNEXT1");
}

}  // namespace
}  // namespace candor::fraud_scorer
