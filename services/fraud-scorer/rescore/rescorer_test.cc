#include "services/fraud-scorer/rescore/rescorer.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/memory_feature_store.h"
#include "services/fraud-scorer/model_scorer.h"
#include "services/fraud-scorer/rescore/rescore_testing.h"

namespace candor::fraud_scorer::rescore {
namespace {

using review::ReviewStatus;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kVersion[] = "model-v2";

// The review tables in memory, with ApplyRescores' rule (a decision is enacted only while its
// review's status and latest audit row are those it was read with) and, in Aggregate, the
// aggregator's guards on the counted flag.
class FakeStore final : public RescoreStore {
 public:
  absl::StatusOr<int64_t> Count(const reviewdb::RescoreSelection& /*selection*/) override {
    return static_cast<int64_t>(rows.size());
  }

  absl::StatusOr<reviewdb::CandidatePage> Page(const reviewdb::RescoreSelection& /*selection*/,
                                               const std::string& cursor, int limit) override {
    if (clock != nullptr) clock->Advance(page_cost);
    const size_t from = cursor.empty() ? 0 : std::stoul(cursor);
    reviewdb::CandidatePage page;
    for (size_t i = from; i < rows.size() && i < from + limit; ++i)
      page.candidates.push_back(rows[i]);
    if (static_cast<int>(page.candidates.size()) == limit) page.next = std::to_string(from + limit);
    return page;
  }

  absl::StatusOr<std::vector<reviewdb::AppliedRescore>> Apply(
      const std::vector<reviewdb::RescoreDecision>& decisions) override {
    ++applies;
    if (before_apply) before_apply(decisions);
    std::vector<reviewdb::AppliedRescore> applied;
    for (const reviewdb::RescoreDecision& d : decisions) {
      reviewdb::RescoreCandidate& row = Row(d.review_id);
      if (row.status != d.from || row.audit_id != d.seen_audit_id) continue;
      row.status = d.to;
      row.audit_id = ++last_audit_id;
      row.decision = d.decision;
      row.scorer = d.scorer;
      row.reasons = d.reasons;
      row.decided_at = kNow;
      applied.push_back({row.submission.review_id, d.from, d.to, kNow});
    }
    return applied;
  }

  // What the rating-aggregator does with the events: count while active, uncount while not.
  void Aggregate(const std::vector<review::ReviewEvent>& events) {
    for (const review::ReviewEvent& e : events) {
      reviewdb::RescoreCandidate& row = Row(e.review_id);
      const bool active = review::Counts(row.status);
      if (std::holds_alternative<review::ReviewAccepted>(e.change)) {
        if (active) row.counted = true;
      } else if (!active) {
        row.counted = false;
      }
    }
  }

  reviewdb::RescoreCandidate& Row(const std::string& id) {
    for (reviewdb::RescoreCandidate& r : rows) {
      if (r.submission.review_id == id) return r;
    }
    ADD_FAILURE() << "no review " << id;
    return rows.front();
  }

  std::vector<reviewdb::RescoreCandidate> rows;
  int64_t last_audit_id = 100;
  int applies = 0;
  std::function<void(const std::vector<reviewdb::RescoreDecision>&)> before_apply;
  core::ManualClock* clock = nullptr;
  absl::Duration page_cost;
};

class FakePublisher final : public EventPublisher {
 public:
  absl::Status Publish(const std::vector<review::ReviewEvent>& events) override {
    ++calls;
    if (!fail.ok()) {
      absl::Status s = fail;
      fail = absl::OkStatus();
      return s;
    }
    published.insert(published.end(), events.begin(), events.end());
    return absl::OkStatus();
  }
  int calls = 0;
  absl::Status fail;
  std::vector<review::ReviewEvent> published;
};

// The in-memory feature store, remembering which reviews were marked rejected.
class MarkRecorder final : public fraud::FeatureStore {
 public:
  std::vector<absl::StatusOr<fraud::FeatureRow>> RecordBatch(
      const std::vector<fraud::ReviewFacts>& reviews) override {
    return inner.RecordBatch(reviews);
  }
  void MarkRejected(const std::vector<fraud::ReviewFacts>& reviews) override {
    for (const fraud::ReviewFacts& r : reviews) marked.insert(r.review_id);
    inner.MarkRejected(reviews);
  }
  fraud::MemoryFeatureStore inner;
  std::set<std::string> marked;
};

// "Removed r2", "Accepted r4": an event as the tests compare them.
std::string Describe(const review::ReviewEvent& e) {
  return absl::StrCat(
      std::holds_alternative<review::ReviewAccepted>(e.change) ? "Accepted " : "Removed ",
      e.review_id);
}

std::vector<std::string> Described(const std::vector<review::ReviewEvent>& events) {
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const review::ReviewEvent& e : events) out.push_back(Describe(e));
  return out;
}

class RescorerTest : public ::testing::Test {
 protected:
  RescorerTest() {
    // id, latest decision, status, counted, rating: the model (RatingRuleModel) rejects 1 star,
    // queues 2 and passes the rest.
    Add("pass-stays", "pass", ReviewStatus::kActive, true, 5);
    Add("pass-rejected", "pass", ReviewStatus::kActive, true, 1);
    Add("pass-queued", "pass", ReviewStatus::kActive, true, 2);
    Add("held-passes", "queue", ReviewStatus::kHeld, false, 4);
    Add("rejected-passes", "reject", ReviewStatus::kRejected, false, 3);
    Add("rejected-stays", "reject", ReviewStatus::kRejected, false, 1);
    Add("unscored-passes", "unscored", ReviewStatus::kActive, true, 5);
    Add("unscored-rejected", "unscored", ReviewStatus::kActive, true, 1);
    Add("approved", "queue", ReviewStatus::kActive, true, 1);  // a moderator approved it
    Add("old", "pass", ReviewStatus::kActive, true, 1, kNow - absl::Hours(24 * 40));
  }

  void Add(const std::string& id, const std::string& decision, ReviewStatus status, bool counted,
           int rating, absl::Time at = kNow - absl::Hours(1)) {
    reviewdb::RescoreCandidate c;
    review::Submission& s = c.submission;
    s.review_id = id;
    s.asin = "B000000001";
    s.user_id = "user-" + id;
    s.rating = rating;
    s.title = "Title";
    s.body = "A review body written by " + id;
    s.submitted_at = at;
    s.client_ip = "198.51.100.7";
    c.status = status;
    c.counted = counted;
    c.audit_id = ++store_.last_audit_id;
    c.decision = decision;
    c.scorer = "model-v1";
    if (decision == "unscored") c.reasons = {{"features_unavailable", 0, 0, "redis down"}};
    store_.rows.push_back(std::move(c));
  }

  // One run with the given mode; returns its status and fills `report`.
  absl::Status RunOnce(bool apply, Report& report) {
    ModelScorer scorer(marks_, model_, datacenters_, Thresholds{});
    Rescorer rescorer(store_, scorer, marks_, apply ? &publisher_ : nullptr, clock_, kVersion,
                      {.apply = apply, .batch = 3, .progress_interval = absl::Seconds(5)});
    return rescorer.Run(report, [this](const std::string& line) { progress_.push_back(line); });
  }

  ReviewStatus StatusOf(const std::string& id) { return store_.Row(id).status; }

  // What an apply of these rows publishes: Removed for each review the model takes out of the
  // active ones, Accepted for each it lets in.
  static constexpr const char* kAppliedEvents[] = {
      "Removed pass-rejected", "Removed pass-queued", "Accepted held-passes",
      "Accepted rejected-passes", "Removed unscored-rejected"};

  FakeStore store_;
  FakePublisher publisher_;
  MarkRecorder features_;
  HeldMarks marks_{features_};
  testing::RatingRuleModel model_{kVersion};
  fraud::CidrList datacenters_;
  core::ManualClock clock_{kNow};
  std::vector<std::string> progress_;
};

TEST_F(RescorerTest, ShadowCountsWhatAnApplyWouldDoAndWritesNothing) {
  const std::vector<reviewdb::RescoreCandidate> before = store_.rows;
  Report report(3);
  ASSERT_TRUE(RunOnce(/*apply=*/false, report).ok());
  EXPECT_EQ(store_.applies, 0);
  EXPECT_TRUE(features_.marked.empty());
  EXPECT_EQ(store_.rows.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(store_.rows[i].audit_id, before[i].audit_id);

  EXPECT_EQ(report.read(), 10);
  EXPECT_EQ(report.decided(), 8);
  EXPECT_EQ(report.moved(), 5);
  EXPECT_EQ(report.events(), 5);
  const std::string text = report.Render("", /*apply=*/false);
  EXPECT_THAT(text, HasSubstr("  unscored -> reject        1\n"));
  EXPECT_THAT(text, HasSubstr("unscored-rejected (score 0.900): rating=1 (+0.90)"));
  EXPECT_THAT(text, HasSubstr("  pass     -> queue         1\n"));
  EXPECT_THAT(text, HasSubstr("  active   -> rejected        2  Removed"));
  EXPECT_THAT(text, HasSubstr("  held     -> active          1  Accepted"));
  EXPECT_THAT(text, HasSubstr("Accepted 2, Removed 3"));
  EXPECT_THAT(text, HasSubstr("1  decided by a moderator"));
  EXPECT_THAT(text, HasSubstr("1  recorded over 30 days ago"));
}

TEST_F(RescorerTest, ApplyEnactsPublishesMarksAndASecondApplyChangesNothing) {
  Report report(3);
  ASSERT_TRUE(RunOnce(/*apply=*/true, report).ok());
  EXPECT_EQ(StatusOf("pass-stays"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("pass-rejected"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("pass-queued"), ReviewStatus::kHeld);
  EXPECT_EQ(StatusOf("held-passes"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("rejected-passes"), ReviewStatus::kActive);
  EXPECT_EQ(StatusOf("unscored-rejected"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("approved"), ReviewStatus::kActive);  // a moderator's decision stands
  EXPECT_EQ(StatusOf("old"), ReviewStatus::kActive);
  EXPECT_EQ(store_.Row("unscored-passes").decision, "pass");
  EXPECT_EQ(store_.Row("unscored-passes").scorer, kVersion);
  EXPECT_THAT(Described(publisher_.published), UnorderedElementsAreArray(kAppliedEvents));
  for (const review::ReviewEvent& e : publisher_.published) {
    EXPECT_EQ(e.occurred_at, kNow);
    if (const auto* a = std::get_if<review::ReviewAccepted>(&e.change)) {
      EXPECT_EQ(a->user_id, "user-" + e.review_id);
      EXPECT_EQ(a->rating, store_.Row(e.review_id).submission.rating);
    } else {
      EXPECT_EQ(std::get<review::ReviewRemoved>(e.change).reason_code, kRescoredReasonCode);
    }
  }
  // Rejections are marked once enacted (one that stays rejected too: marking twice is harmless).
  EXPECT_EQ(features_.marked,
            (std::set<std::string>{"pass-rejected", "rejected-stays", "unscored-rejected"}));
  EXPECT_EQ(report.decided(), 8);

  // The aggregator applies the events; a second apply finds everything decided by this model.
  store_.Aggregate(publisher_.published);
  const int applies = store_.applies;
  const int publishes = publisher_.calls;
  Report again(3);
  ASSERT_TRUE(RunOnce(/*apply=*/true, again).ok());
  EXPECT_EQ(store_.applies, applies);
  EXPECT_EQ(publisher_.calls, publishes);
  EXPECT_EQ(again.decided(), 0);
  EXPECT_EQ(again.events(), 0);
  EXPECT_THAT(again.Render("", true), HasSubstr("8  already decided by this model"));
}

TEST_F(RescorerTest, EventsKafkaDidNotConfirmAreSentByTheNextRun) {
  publisher_.fail = absl::UnavailableError("kafka: timed out");
  Report first(3);
  const absl::Status s = RunOnce(/*apply=*/true, first);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("run again"));
  // The first batch (pass-stays, pass-rejected, pass-queued) is committed, its events lost.
  EXPECT_EQ(StatusOf("pass-rejected"), ReviewStatus::kRejected);
  EXPECT_EQ(StatusOf("held-passes"), ReviewStatus::kHeld);
  EXPECT_TRUE(publisher_.published.empty());

  Report second(3);
  ASSERT_TRUE(RunOnce(/*apply=*/true, second).ok());
  EXPECT_THAT(Described(publisher_.published), UnorderedElementsAreArray(kAppliedEvents));
  EXPECT_THAT(second.Render("", true),
              HasSubstr("(of them sent again for reviews already decided: Accepted 0, Removed 2)"));

  store_.Aggregate(publisher_.published);
  publisher_.published.clear();
  Report third(3);
  ASSERT_TRUE(RunOnce(/*apply=*/true, third).ok());
  EXPECT_TRUE(publisher_.published.empty());
  EXPECT_EQ(third.events(), 0);
}

TEST_F(RescorerTest, AReviewChangedBeforeTheApplyIsLeftAlone) {
  store_.before_apply = [this](const std::vector<reviewdb::RescoreDecision>& decisions) {
    // A moderator approves the held review while its batch is being scored.
    for (const reviewdb::RescoreDecision& d : decisions) {
      if (d.review_id == "held-passes") store_.Row(d.review_id).status = ReviewStatus::kActive;
    }
  };
  Report report(3);
  ASSERT_TRUE(RunOnce(/*apply=*/true, report).ok());
  EXPECT_THAT(Described(publisher_.published),
              UnorderedElementsAre("Removed pass-rejected", "Removed pass-queued",
                                   "Accepted rejected-passes", "Removed unscored-rejected"));
  EXPECT_EQ(report.decided(), 7);
  EXPECT_THAT(report.Render("", true), HasSubstr("1  changed between the read and the apply"));
}

TEST_F(RescorerTest, ABatchTheModelCannotScoreStopsTheRunAndWritesNothing) {
  model_.error = absl::InternalError("booster gone");
  Report report(3);
  const absl::Status s = RunOnce(/*apply=*/true, report);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("model_unavailable"));
  EXPECT_EQ(store_.applies, 0);
  EXPECT_EQ(publisher_.calls, 0);
  EXPECT_EQ(report.unscored(), 3);
  EXPECT_TRUE(features_.marked.empty());
}

TEST_F(RescorerTest, ProgressEveryIntervalAndAtTheEnd) {
  store_.clock = &clock_;
  store_.page_cost = absl::Seconds(2);  // four pages of three
  Report report(3);
  ASSERT_TRUE(RunOnce(/*apply=*/false, report).ok());
  ASSERT_EQ(progress_.size(), 2u);
  EXPECT_EQ(progress_[0], "9/10 reviews (90%), 2/s, ETA 0:00:01");
  EXPECT_EQ(progress_[1], "10/10 reviews (100%), 1/s");
}

}  // namespace
}  // namespace candor::fraud_scorer::rescore
