#include "tools/candor-fraud-train/evaluation.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace candor::fraud_train {
namespace {

TEST(EvaluationTest, RocAuc) {
  EXPECT_DOUBLE_EQ(RocAuc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1);
  EXPECT_DOUBLE_EQ(RocAuc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0);
  EXPECT_DOUBLE_EQ(RocAuc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5);
  // One of the four (negative, positive) pairs is out of order.
  EXPECT_DOUBLE_EQ(RocAuc({0.1, 0.6, 0.5, 0.9}, {0, 0, 1, 1}), 0.75);
  EXPECT_TRUE(std::isnan(RocAuc({0.1, 0.2}, {1, 1})));
}

TEST(EvaluationTest, AveragePrecision) {
  EXPECT_DOUBLE_EQ(AveragePrecision({0.9, 0.8, 0.1}, {1, 1, 0}), 1);
  // Ranks: positive, negative, positive: (1/1 + 2/3) / 2.
  EXPECT_DOUBLE_EQ(AveragePrecision({0.9, 0.8, 0.7}, {1, 0, 1}), (1 + 2.0 / 3) / 2);
  // A tie is one step: both positives come with precision 2/4.
  EXPECT_DOUBLE_EQ(AveragePrecision({0.5, 0.5, 0.5, 0.5}, {1, 0, 1, 0}), 0.5);
  EXPECT_TRUE(std::isnan(AveragePrecision({0.1}, {0})));
}

TEST(EvaluationTest, RoutesAsTheServiceDoes) {
  EXPECT_EQ(RouteOf(0.29, 0.3, 0.7), Route::kPass);
  EXPECT_EQ(RouteOf(0.3, 0.3, 0.7), Route::kQueue);
  EXPECT_EQ(RouteOf(0.7, 0.3, 0.7), Route::kQueue);
  EXPECT_EQ(RouteOf(0.71, 0.3, 0.7), Route::kReject);
}

TEST(EvaluationTest, ConfusionPrecisionRecallAndTypes) {
  const std::vector<Scored> scored = {
      {0.1, Kind::kGenuine, -1}, {0.2, Kind::kGenuine, -1},    {0.5, Kind::kGenuine, -1},
      {0.9, Kind::kGenuine, -1}, {0.95, Kind::kReviewBomb, 0}, {0.99, Kind::kReviewBomb, 0},
      {0.6, Kind::kSlowDrip, 1}, {0.1, Kind::kSlowDrip, 1},    {0.05, Kind::kSlowDrip, 2},
  };
  const Evaluation e = Evaluate(scored, 0.3, 0.7);
  EXPECT_EQ(e.genuine, 4);
  EXPECT_EQ(e.campaign, 5);
  EXPECT_EQ(e.confusion[0], (std::array<int64_t, 3>{2, 1, 1}));
  EXPECT_EQ(e.confusion[1], (std::array<int64_t, 3>{2, 1, 2}));
  EXPECT_EQ(e.at_queue.true_positives, 3);
  EXPECT_EQ(e.at_queue.false_positives, 2);
  EXPECT_DOUBLE_EQ(e.at_queue.precision, 3.0 / 5);
  EXPECT_DOUBLE_EQ(e.at_queue.recall, 3.0 / 5);
  EXPECT_DOUBLE_EQ(e.at_reject.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.at_reject.recall, 2.0 / 5);
  EXPECT_DOUBLE_EQ(e.genuine_queued, 0.25);
  EXPECT_DOUBLE_EQ(e.genuine_rejected, 0.25);
  const TypeFigures& bomb = e.types[CampaignIndex(Kind::kReviewBomb)];
  EXPECT_EQ(bomb.reviews, 2);
  EXPECT_EQ(bomb.campaigns, 1);
  EXPECT_DOUBLE_EQ(bomb.recall_queue, 1);
  EXPECT_EQ(bomb.campaigns_caught, 1);
  const TypeFigures& drip = e.types[CampaignIndex(Kind::kSlowDrip)];
  EXPECT_DOUBLE_EQ(drip.recall_queue, 1.0 / 3);
  EXPECT_EQ(drip.campaigns, 2);
  EXPECT_EQ(drip.campaigns_caught, 1);  // half of campaign 1, none of campaign 2
  EXPECT_EQ(e.types[CampaignIndex(Kind::kAgedFarm)].reviews, 0);
  const nlohmann::json j = ToJson(e);
  EXPECT_TRUE(j.at("by_campaign_type").contains("slow_drip"));
  EXPECT_FALSE(j.at("by_campaign_type").contains("aged_farm"));
}

}  // namespace
}  // namespace candor::fraud_train
