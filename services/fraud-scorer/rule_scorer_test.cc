#include "services/fraud-scorer/rule_scorer.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/review/submission_testing.h"

namespace candor::fraud_scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Returns a fixed activity (or error) and remembers what it was asked to record.
class FakeWindow final : public BehaviourWindow {
 public:
  absl::StatusOr<UserActivity> Record(const std::string& user_id, const std::string& review_id,
                                      const std::string& asin, absl::Time at,
                                      absl::Time /*now*/) override {
    last_user = user_id;
    last_review = review_id;
    last_asin = asin;
    last_at = at;
    if (!error.ok()) return error;
    return activity;
  }
  UserActivity activity{1, 1, 1};
  absl::Status error;
  std::string last_user, last_review, last_asin;
  absl::Time last_at;
};

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

review::Submission Genuine() {
  return review::testing::SubmissionOf(
      "u1", 4, "Solid kettle",
      "Boils fast and the lid closes well. The handle gets a bit warm though.",
      kNow - absl::Minutes(1));
}

std::vector<std::string> RuleIds(const Decision& d) {
  std::vector<std::string> ids;
  for (const review::Reason& r : d.reasons) ids.push_back(r.code);
  return ids;
}

class RuleScorerTest : public ::testing::Test {
 protected:
  FakeWindow window_;
  RuleScorer scorer_{window_, Thresholds{}};
};

TEST_F(RuleScorerTest, GenuineReviewPassesWithNoReasons) {
  auto d = scorer_.Score(Genuine(), kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, Decision::Kind::kPass);
  EXPECT_EQ(d->score, 0.0);
  EXPECT_THAT(d->reasons, IsEmpty());
  EXPECT_EQ(d->scorer, "rules-v1");
  // The window was fed this review, at its submission time.
  EXPECT_EQ(window_.last_user, "u1");
  EXPECT_EQ(window_.last_review, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(window_.last_asin, "B000000001");
  EXPECT_EQ(window_.last_at, kNow - absl::Minutes(1));
}

TEST_F(RuleScorerTest, FutureSubmissionTimeIsClampedToNow) {
  review::Submission s = Genuine();
  s.submitted_at = kNow + absl::Hours(3);
  ASSERT_TRUE(scorer_.Score(s, kNow).ok());
  EXPECT_EQ(window_.last_at, kNow);
}

// One case of the text rules: Genuine() with these fields changed, and what the scorer must
// decide. Only the fields set are checked.
struct TextCase {
  std::string name{};
  std::string body{};
  std::optional<std::string> title{};  // Genuine()'s when unset
  int rating = 4;
  std::vector<std::string> rules{};  // the ids of all reasons, in order (empty: no reasons)
  std::string first_reason_has{};    // a substring of the first reason's text
  std::optional<double> score{};
  std::optional<Decision::Kind> kind{};
};

class RuleScorerTextTest : public RuleScorerTest, public ::testing::WithParamInterface<TextCase> {};

TEST_P(RuleScorerTextTest, Decides) {
  const TextCase& c = GetParam();
  review::Submission s = Genuine();
  s.body = c.body;
  if (c.title) s.title = *c.title;
  s.rating = c.rating;
  auto d = scorer_.Score(s, kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(RuleIds(*d), c.rules);
  if (!c.first_reason_has.empty()) {
    ASSERT_FALSE(d->reasons.empty());
    EXPECT_THAT(d->reasons[0].text, HasSubstr(c.first_reason_has));
  }
  if (c.score) {
    EXPECT_DOUBLE_EQ(d->score, *c.score);
  }
  if (c.kind) {
    EXPECT_EQ(d->kind, *c.kind);
  }
}

INSTANTIATE_TEST_SUITE_P(
    TextRules, RuleScorerTextTest,
    ::testing::Values(
        // 17 characters, rating 4: not extreme.
        TextCase{.name = "ShortBody",
                 .body = "Works as expected",
                 .rules = {"short_body"},
                 .score = 0.10,
                 .kind = Decision::Kind::kPass},
        // 20 code points, 22 bytes: not short.
        TextCase{.name = "ShortBodyCountsCharactersNotBytes", .body = "Très bien, très beau"},
        TextCase{.name = "Shouting",
                 .body = "THIS KETTLE IS THE BEST THING I EVER BOUGHT, honestly",
                 .title = "",
                 .rules = {"shouting"}},
        TextCase{.name = "ShoutingNeedsMostlyUpperCase",
                 .body = "OK GOOD but the lid rattles a little when it boils",
                 .title = ""},
        // 10 of 13 letters upper (77%): shouting, plus short_body.
        TextCase{.name = "ShoutingCountsTitleAndBody",
                 .body = "NICE ONE, lid",
                 .title = "WOW",
                 .rules = {"shouting", "short_body"}},
        TextCase{.name = "Exclamations",
                 .body = "Boils fast and the lid closes well! Really! Great kettle for the price.",
                 .title = "Love it!!",
                 .rules = {"exclamations"},
                 .first_reason_has = "4 '!'"},
        // 30 characters.
        TextCase{.name = "ExtremeRatingWithShortText",
                 .body = "Great kettle, would buy again.",
                 .rating = 5,
                 .rules = {"extreme_short"}},
        TextCase{.name = "ExtremeLowRatingWithShortText",
                 .body = "Great kettle, would buy again.",
                 .rating = 1,
                 .rules = {"extreme_short"}},
        TextCase{.name = "MiddleRatingWithShortTextIsNotExtreme",
                 .body = "Great kettle, would buy again.",
                 .rating = 3},
        // Every text rule fires, and still the review is only queued.
        TextCase{.name = "TextAloneNeverRejects",
                 .body = "BUY IT NOW!!!",
                 .title = "BEST!!!!",
                 .rating = 5,
                 .rules = {"shouting", "exclamations", "extreme_short", "short_body"},
                 .score = 0.60,
                 .kind = Decision::Kind::kQueue}),
    [](const ::testing::TestParamInfo<TextCase>& param) { return param.param.name; });

TEST_F(RuleScorerTest, BehaviourRules) {
  window_.activity = {5, 4, 9};
  auto d = scorer_.Score(Genuine(), kNow);
  EXPECT_THAT(RuleIds(*d), ElementsAre("burst_24h", "many_products_24h"));
  EXPECT_DOUBLE_EQ(d->score, 0.65);
  EXPECT_EQ(d->kind, Decision::Kind::kQueue);
  window_.activity = {4, 3, 9};  // just under both limits
  EXPECT_THAT(scorer_.Score(Genuine(), kNow)->reasons, IsEmpty());
}

TEST_F(RuleScorerTest, TextAndBehaviourTogetherRejectAndScoreIsCapped) {
  window_.activity = {12, 10, 40};
  review::Submission s = Genuine();
  s.rating = 1;
  s.title = "SCAM!!!!";
  s.body = "DO NOT BUY!!!";
  auto d = scorer_.Score(s, kNow);
  EXPECT_EQ(d->kind, Decision::Kind::kReject);
  EXPECT_EQ(d->score, 1.0);                     // 1.25 before the cap
  EXPECT_EQ(RuleIds(*d).front(), "burst_24h");  // heaviest first
  EXPECT_EQ(d->reasons.size(), 6u);
}

TEST_F(RuleScorerTest, EachReasonCarriesTheRuleItsWeightAndWhatItMeasured) {
  window_.activity = {12, 10, 40};
  review::Submission s = Genuine();
  s.rating = 1;
  s.title = "SCAM!!!!";
  s.body = "DO NOT BUY!!!";  // 13 characters, 7 '!', 12 of 12 letters upper case
  auto d = scorer_.Score(s, kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  const std::vector<review::Reason> expected = {
      {"burst_24h", 12, 0.35, "12 submissions by this user in 24 h"},
      {"many_products_24h", 10, 0.30, "10 products reviewed in 24 h"},
      {"shouting", 1.0, 0.20, "12 of 12 letters upper case"},
      {"exclamations", 7, 0.15, "7 '!'"},
      {"extreme_short", 13, 0.15, "1 stars with 13 characters, under 40"},
      {"short_body", 13, 0.10, "13 characters, under 20"},
  };
  EXPECT_EQ(d->reasons, expected);
}

TEST_F(RuleScorerTest, RoutingAtTheThresholds) {
  Thresholds t;  // 0.30 / 0.70
  EXPECT_EQ(t.Route(0.0), Decision::Kind::kPass);
  EXPECT_EQ(t.Route(0.2999), Decision::Kind::kPass);
  EXPECT_EQ(t.Route(0.30), Decision::Kind::kQueue);
  EXPECT_EQ(t.Route(0.70), Decision::Kind::kQueue);
  EXPECT_EQ(t.Route(0.7001), Decision::Kind::kReject);
  EXPECT_EQ(t.Route(1.0), Decision::Kind::kReject);
}

TEST_F(RuleScorerTest, SumExactlyOnThresholdRoutesToQueue) {
  // Two rules of 0.15 each must land on 0.30 exactly, not just below it.
  review::Submission s = Genuine();
  s.rating = 5;
  s.title = "";
  s.body = "Good value, does the job well. Recommended.";  // 43 chars: no extreme_short
  window_.activity = {1, 1, 1};
  RuleSet rules;
  rules.exclamations = 0;           // fires always, 0.15
  rules.extreme_short_chars = 100;  // fires, 0.15
  RuleScorer scorer(window_, Thresholds{}, rules);
  auto d = scorer.Score(s, kNow);
  EXPECT_EQ(d->score, 0.30);
  EXPECT_EQ(d->kind, Decision::Kind::kQueue);
}

TEST_F(RuleScorerTest, ConfigurableThresholds) {
  RuleScorer strict(window_, Thresholds{0.05, 0.08});
  review::Submission s = Genuine();
  s.body = "Works as expected";  // 0.10
  EXPECT_EQ(strict.Score(s, kNow)->kind, Decision::Kind::kReject);
}

TEST_F(RuleScorerTest, WindowDownFailsOpenKeepingTextReasons) {
  window_.error = absl::UnavailableError("connection refused");
  review::Submission s = Genuine();
  s.body = "Works as expected";
  auto d = scorer_.Score(s, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, Decision::Kind::kUnscored);
  EXPECT_DOUBLE_EQ(d->score, 0.10);
  EXPECT_THAT(RuleIds(*d), ElementsAre("short_body", "behaviour_unavailable"));
  EXPECT_THAT(d->reasons.back().text, HasSubstr("connection refused"));
}

// Counts every user's reviews, as a tiny in-memory window would: the result depends on the order
// of the calls. Optionally answers RecordBatch itself, with one result too few.
class CountingWindow final : public BehaviourWindow {
 public:
  absl::StatusOr<UserActivity> Record(const std::string& user_id, const std::string& /*review*/,
                                      const std::string& /*asin*/, absl::Time /*at*/,
                                      absl::Time /*now*/) override {
    ++records;
    if (user_id == "down") return absl::UnavailableError("shard down");
    const int64_t n = ++counts[user_id];
    return UserActivity{n, n, n};
  }
  std::vector<absl::StatusOr<UserActivity>> RecordBatch(const std::vector<WindowEntry>& entries,
                                                        absl::Time now) override {
    ++batches;
    auto out = BehaviourWindow::RecordBatch(entries, now);
    if (drop_one && !out.empty()) out.pop_back();
    return out;
  }
  std::map<std::string, int64_t> counts;
  int records = 0;
  int batches = 0;
  bool drop_one = false;
};

std::vector<review::Submission> MixedBatch() {
  std::vector<review::Submission> batch;
  for (int i = 0; i < 12; ++i) {
    review::Submission s = Genuine();
    s.review_id = std::string(31, '0') + static_cast<char>('a' + i);
    s.user_id = i == 7 ? "down" : (i % 2 == 0 ? "busy" : "u" + std::to_string(i));
    if (i == 4) {
      s.title = "BEST!!!!";
      s.body = "BUY IT NOW!!!";
    }
    batch.push_back(s);
  }
  return batch;
}

TEST(RuleScorerBatchTest, ScoreBatchDecidesExactlyAsScoreOneByOne) {
  const std::vector<review::Submission> batch = MixedBatch();
  CountingWindow one_by_one_window;
  RuleScorer one_by_one(one_by_one_window, Thresholds{});
  std::vector<absl::StatusOr<Decision>> expected;
  expected.reserve(batch.size());
  for (const review::Submission& s : batch) expected.push_back(one_by_one.Score(s, kNow));

  CountingWindow batch_window;
  RuleScorer batched(batch_window, Thresholds{});
  std::vector<absl::StatusOr<Decision>> got = batched.ScoreBatch(batch, kNow);
  EXPECT_EQ(batch_window.batches, 1);  // one window call for the whole batch
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(got[i].ok()) << i;
    EXPECT_EQ(got[i]->kind, expected[i]->kind) << i;
    EXPECT_EQ(got[i]->score, expected[i]->score) << i;
    EXPECT_EQ(got[i]->reasons, expected[i]->reasons) << i;
  }
  // The busy user's 5th review in the batch (0, 2, 4, 6, 8) sees the four before it: the order
  // is kept. The user whose window failed is unscored alone.
  EXPECT_THAT(RuleIds(*got[6]), ::testing::Not(::testing::Contains("burst_24h")));
  EXPECT_THAT(RuleIds(*got[8]), ::testing::Contains("burst_24h"));
  EXPECT_EQ(got[7]->kind, Decision::Kind::kUnscored);
  EXPECT_EQ(got[9]->kind, Decision::Kind::kPass);
}

TEST(RuleScorerBatchTest, AWindowReturningTooFewResultsFailsTheBatchOpen) {
  CountingWindow window;
  window.drop_one = true;
  RuleScorer scorer(window, Thresholds{});
  std::vector<absl::StatusOr<Decision>> got = scorer.ScoreBatch(MixedBatch(), kNow);
  ASSERT_EQ(got.size(), 12u);
  for (const auto& d : got) {
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->kind, Decision::Kind::kUnscored);
    EXPECT_THAT(d->reasons.back().text, HasSubstr("11 results for 12 reviews"));
  }
}

TEST(RuleScorerBatchTest, EmptyBatch) {
  CountingWindow window;
  RuleScorer scorer(window, Thresholds{});
  EXPECT_TRUE(scorer.ScoreBatch({}, kNow).empty());
  EXPECT_EQ(window.records, 0);
}

TEST(DecisionTest, KindNamesMatchTheAuditTable) {
  EXPECT_EQ(KindName(Decision::Kind::kPass), "pass");
  EXPECT_EQ(KindName(Decision::Kind::kQueue), "queue");
  EXPECT_EQ(KindName(Decision::Kind::kReject), "reject");
  EXPECT_EQ(KindName(Decision::Kind::kUnscored), "unscored");
}

}  // namespace
}  // namespace candor::fraud_scorer
