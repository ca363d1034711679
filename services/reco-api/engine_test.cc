#include "services/reco-api/engine.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reco/two_tower_testing.h"

namespace candor::reco_api {
namespace {

using ::testing::ElementsAre;

// The circle model of two_tower_testing.h reading a history of 4. Items sit on the unit circle
// at the given angles (degrees).
std::shared_ptr<const ModelSnapshot> CircleModel(
    const std::vector<std::pair<std::string, double>>& items) {
  std::vector<std::string> asins;
  std::vector<double> degrees;
  asins.reserve(items.size());
  degrees.reserve(items.size());
  for (const auto& [asin, at] : items) {
    asins.push_back(asin);
    degrees.push_back(at);
  }
  auto m = std::make_shared<ModelSnapshot>();
  reco::TwoTowerWeights& w = m->weights;
  w = reco::testing::CircleWeights(asins, degrees, 4);
  EXPECT_TRUE(w.Validate().ok()) << w.Validate();
  for (int32_t row = 0; row < w.items; ++row) m->row_of[w.item_ids[static_cast<size_t>(row)]] = row;
  auto index = reco::BuildExactIndex(w.item_vectors, w.dim);
  EXPECT_TRUE(index.ok()) << index.status();
  m->index = *std::move(index);
  return m;
}

std::vector<std::string> Asins(const std::vector<ScoredItem>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const ScoredItem& i : items) out.push_back(i.asin);
  return out;
}

class EngineTest : public ::testing::Test {
 protected:
  // A at 0 degrees; B, C close to it; D, E on the far side.
  std::shared_ptr<const ModelSnapshot> model_ = CircleModel({{"B00000000A", 0},
                                                             {"B00000000B", 10},
                                                             {"B00000000C", 25},
                                                             {"B00000000D", 170},
                                                             {"B00000000E", 200}});
  std::vector<PopularItem> popular_ = {{.asin = "B00000000E", .count = 9},
                                       {.asin = "B00000000D", .count = 7},
                                       {.asin = "B00000000A", .count = 5}};
  FunnelOptions options_{.candidates = 10};
};

TEST_F(EngineTest, FunnelRetrievesNeighboursOfTheHistoryAndLeavesTheHistoryOut) {
  const std::vector<HistoryItem> history = {{.asin = "B00000000A", .unix_time = 1}};
  Answer a = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, history, popular_, 3, options_);
  EXPECT_EQ(a.history_used, 1);
  // E (200 degrees) is nearer A than D (170).
  EXPECT_THAT(Asins(a.items), ElementsAre("B00000000B", "B00000000C", "B00000000E"));
  EXPECT_EQ(a.items[0].stage, Stage::kRetrieval);
  EXPECT_NEAR(a.items[0].score, std::cos(10 * M_PI / 180), 1e-5);
}

TEST_F(EngineTest, ANewReviewMovesTheAnswer) {
  const std::vector<HistoryItem> before = {{.asin = "B00000000A", .unix_time = 1}};
  const std::vector<HistoryItem> after = {{.asin = "B00000000A", .unix_time = 1},
                                          {.asin = "B00000000D", .unix_time = 2}};
  Answer a = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, before, popular_, 2, options_);
  Answer b = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, after, popular_, 2, options_);
  EXPECT_NE(Asins(a.items), Asins(b.items));
  for (const ScoredItem& i : b.items) {
    EXPECT_NE(i.asin, "B00000000A");
    EXPECT_NE(i.asin, "B00000000D");
  }
}

TEST_F(EngineTest, ColdStartAndTheControlArmGetThePopularList) {
  Answer cold = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, {}, popular_, 2, options_);
  EXPECT_EQ(cold.history_used, 0);
  EXPECT_THAT(Asins(cold.items), ElementsAre("B00000000E", "B00000000D"));
  EXPECT_EQ(cold.items[0].stage, Stage::kPopularity);
  // History the model does not know is a cold start too, but still left out.
  const std::vector<HistoryItem> unknown = {{.asin = "B00000000E", .unix_time = 1},
                                            {.asin = "B0000000ZZ", .unix_time = 2}};
  Answer u = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, unknown, popular_, 5, options_);
  EXPECT_EQ(u.history_used, 1);  // E is known: the tower reads it
  const std::vector<HistoryItem> none_known = {{.asin = "B0000000ZZ", .unix_time = 2}};
  Answer n = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, none_known, popular_, 5, options_);
  EXPECT_EQ(n.history_used, 0);
  EXPECT_THAT(Asins(n.items), ElementsAre("B00000000E", "B00000000D", "B00000000A"));
  const std::vector<HistoryItem> history = {{.asin = "B00000000E", .unix_time = 1}};
  Answer control =
      Recommend(model_.get(), Rules{}, Pipeline::kPopularity, history, popular_, 5, options_);
  EXPECT_THAT(Asins(control.items), ElementsAre("B00000000D", "B00000000A"));
  // No model at all: the popular list.
  Answer no_model = Recommend(nullptr, Rules{}, Pipeline::kFunnel, history, popular_, 5, options_);
  EXPECT_THAT(Asins(no_model.items), ElementsAre("B00000000D", "B00000000A"));
}

TEST_F(EngineTest, ShortAnswersAreBackfilledFromThePopularList) {
  FunnelOptions two{.candidates = 1};
  const std::vector<HistoryItem> history = {{.asin = "B00000000A", .unix_time = 1}};
  Answer a = Recommend(model_.get(), Rules{}, Pipeline::kFunnel, history, popular_, 3, two);
  ASSERT_EQ(a.items.size(), 3U);
  EXPECT_EQ(a.items[0].stage, Stage::kRetrieval);
  EXPECT_EQ(a.items[1].stage, Stage::kPopularity);
  EXPECT_THAT(Asins(a.items), ElementsAre("B00000000B", "B00000000E", "B00000000D"));
}

TEST(ReRankTest, BlocksFraudBoostsPinsAndCaps) {
  std::vector<ScoredItem> candidates;
  candidates.reserve(8);
  for (int i = 0; i < 8; ++i) {
    candidates.push_back({.asin = "B00000000" + std::to_string(i),
                          .score = static_cast<float>(10 - i),
                          .stage = Stage::kRetrieval});
  }
  Rules rules;
  rules.blocked = {"B000000001"};
  rules.fraud_campaigns = {"B000000002"};
  rules.boost = {{"B000000007", 100.0F}};
  rules.pins = {{.asin = "B000000005", .position = 2}};
  rules.category = {
      {"B000000000", "x"}, {"B000000003", "x"}, {"B000000004", "x"}, {"B000000006", "y"}};
  rules.category_cap = 1;
  std::vector<ScoredItem> out = ReRank(candidates, rules, {"B000000006"}, 5);
  // 7 boosted first; 0 (x); 5 pinned at 2; 3 and 4 are over x's cap, so they fill in last.
  EXPECT_THAT(Asins(out),
              ElementsAre("B000000007", "B000000005", "B000000000", "B000000003", "B000000004"));
  EXPECT_EQ(out[1].stage, Stage::kRule);
  EXPECT_FLOAT_EQ(out[0].score, 103.0F);
  // A pinned product the user reviewed or that is blocked is not placed.
  rules.blocked.insert("B000000005");
  out = ReRank(candidates, rules, {}, 3);
  EXPECT_THAT(Asins(out), ElementsAre("B000000007", "B000000000", "B000000006"));
}

TEST_F(EngineTest, SimilarLeavesTheItemAndTheBlockedOut) {
  Rules rules;
  rules.blocked = {"B00000000B"};
  absl::StatusOr<std::vector<ScoredItem>> s = Similar(*model_, rules, "B00000000A", 2);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(Asins(*s), ElementsAre("B00000000C", "B00000000E"));
  EXPECT_EQ(Similar(*model_, rules, "B0000000ZZ", 2).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::reco_api
