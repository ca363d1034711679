#include "libs/reco/metrics.h"

#include <cmath>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/reco/evaluation.h"

namespace candor::reco {
namespace {

TEST(MetricsTest, StrictRanks) {
  EXPECT_DOUBLE_EQ(ExpectedAtK(0, 0, 10).hit, 1);
  EXPECT_DOUBLE_EQ(ExpectedAtK(0, 0, 10).ndcg, 1);
  EXPECT_DOUBLE_EQ(ExpectedAtK(2, 0, 10).ndcg, 0.5);  // rank 2: 1 / log2(4)
  EXPECT_DOUBLE_EQ(ExpectedAtK(9, 0, 10).hit, 1);
  EXPECT_DOUBLE_EQ(ExpectedAtK(9, 0, 10).ndcg, 1 / std::log2(11.0));
  EXPECT_DOUBLE_EQ(ExpectedAtK(10, 0, 10).hit, 0);
  EXPECT_DOUBLE_EQ(ExpectedAtK(10, 0, 10).ndcg, 0);
  EXPECT_DOUBLE_EQ(ExpectedAtK(10, 0, 20).ndcg, 1 / std::log2(12.0));
}

TEST(MetricsTest, TiesAreAveragedOverTheirPositions) {
  // Ranks 8, 9, 10, 11 equally likely: two of the four are inside @10.
  const HitNdcg m = ExpectedAtK(8, 3, 10);
  EXPECT_DOUBLE_EQ(m.hit, 0.5);
  EXPECT_DOUBLE_EQ(m.ndcg, (1 / std::log2(10.0) + 1 / std::log2(11.0)) / 4);
  // A constant scorer over 100 candidates: HR@10 = 10 / 100.
  EXPECT_DOUBLE_EQ(ExpectedAtK(0, 99, 10).hit, 0.1);
}

// Fixed scores per user, to check the evaluation's masking and averaging by hand.
class FixedScores : public Recommender {
 public:
  explicit FixedScores(std::vector<std::vector<float>> per_user) : per_user_(std::move(per_user)) {}
  std::string Name() const override { return "fixed"; }
  absl::Status Fit(const Sequences&) override { return absl::OkStatus(); }
  void Score(const Query& q, std::span<float> scores) override {
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = per_user_[q.user][i];
  }

 private:
  std::vector<std::vector<float>> per_user_;
};

TEST(EvaluateTest, RanksTheTargetAgainstAllUnseenItems) {
  InteractionLog log;
  for (int i = 0; i < 6; ++i) log.InternItem(std::string(1, static_cast<char>('a' + i)));
  const int32_t u = log.InternUser("u");
  const int32_t v = log.InternUser("v");
  // u: a b c -> validation b, test c. v: d e a c -> train d e, validation a, test c.
  log.Add(u, 0, kNoRating, 1);
  log.Add(u, 1, kNoRating, 2);
  log.Add(u, 2, kNoRating, 3);
  int64_t t = 10;
  for (int32_t i : {3, 4, 0, 2}) log.Add(v, i, kNoRating, t++);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok());
  // u's test: history a b masked; c (3) is beaten only by f (9): rank 1.
  // v's test: history d e a masked (a scores 100 but is masked); c (1) is beaten by b and f:
  // rank 2.
  FixedScores model({{50, 60, 3, 1, 1, 9}, {100, 2, 1, 0, 50, 7}});
  const EvalResult test =
      Evaluate(model, *split, Holdout::kTest, {.cutoffs = {1, 10}, .progress = {}});
  EXPECT_EQ(test.users, 2);
  EXPECT_EQ(test.items, 6);
  EXPECT_DOUBLE_EQ(test.hit[0], 0);
  EXPECT_DOUBLE_EQ(test.hit[1], 1);
  EXPECT_DOUBLE_EQ(test.ndcg[1], (1 / std::log2(3.0) + 1 / std::log2(4.0)) / 2);
  // Validation: u's target b (60) beats all unmasked -> rank 0; v's target a (100) -> rank 0.
  const EvalResult validation =
      Evaluate(model, *split, Holdout::kValidation, {.cutoffs = {1}, .progress = {}});
  EXPECT_DOUBLE_EQ(validation.hit[0], 1);
  EXPECT_DOUBLE_EQ(validation.ndcg[0], 1);
}

TEST(EvaluateTest, ARepeatedTargetStaysRankable) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  for (int i = 0; i < 3; ++i) log.InternItem(std::string(1, static_cast<char>('a' + i)));
  log.Add(u, 0, kNoRating, 1);
  log.Add(u, 1, kNoRating, 2);
  log.Add(u, 0, kNoRating, 3);  // test target a was already in the history
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok());
  FixedScores model({{1, 5, 0}});
  const EvalResult r = Evaluate(model, *split, Holdout::kTest, {.cutoffs = {1}, .progress = {}});
  EXPECT_DOUBLE_EQ(r.hit[0], 1);  // b is masked, c scores lower
}

TEST(EvaluateTest, ANanTargetScoreIsAMiss) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  for (int i = 0; i < 4; ++i) log.InternItem(std::string(1, static_cast<char>('a' + i)));
  for (int32_t i = 0; i < 3; ++i) log.Add(u, i, kNoRating, i);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok());
  FixedScores model({{1, 1, std::nanf(""), 0}});
  const EvalResult r = Evaluate(model, *split, Holdout::kTest, {.cutoffs = {10}, .progress = {}});
  EXPECT_DOUBLE_EQ(r.hit[0], 0);
  EXPECT_DOUBLE_EQ(r.ndcg[0], 0);
}

}  // namespace
}  // namespace candor::reco
