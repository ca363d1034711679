#include "tools/candor-fraud-train/report.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::fraud_train {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json Meta(double auc, double genuine_rejected) {
  nlohmann::json flagged = {{"precision", 0.99},
                            {"recall", 0.9},
                            {"true_positives", 90},
                            {"false_positives", 1},
                            {"false_negatives", 10}};
  nlohmann::json shares = {{"reviews", 100}, {"queued", 0.01}, {"rejected", 0.002}};
  nlohmann::json caught = {{"reviews", 300}, {"queued", 0.1}, {"rejected", 0.9}};
  return {
      {"version", "fraud-gbt-x"},
      {"model_file", "fraud-gbt-x.json"},
      {"command", "candor-fraud-train --seed 3"},
      {"seed", 3},
      {"xgboost_version", "1.7.4"},
      {"thresholds", {{"queue", 0.3}, {"reject", 0.7}}},
      {"training", {{"trees", 100}, {"rounds_run", 140}, {"max_depth", 5}, {"eta", 0.1}}},
      {"data",
       {{{"file", "r.json.gz"},
         {"bytes", 10},
         {"used", 9},
         {"refused_by_validation", 1},
         {"malformed", 0}}}},
      {"evaluation",
       {{"unseen_type", "competitor_one_star"},
        {"genuine_reviews", 1000},
        {"campaign_reviews", 100},
        {"roc_auc", auc},
        {"pr_auc", 0.95},
        {"genuine_queued_share", 0.01},
        {"genuine_rejected_share", genuine_rejected},
        {"at_queue_threshold", flagged},
        {"at_reject_threshold", flagged},
        {"confusion",
         {{"genuine", {{"pass", 980}, {"queue", 10}, {"reject", 10}}},
          {"campaign", {{"pass", 10}, {"queue", 5}, {"reject", 85}}}}},
        {"by_campaign_type",
         {{"competitor_one_star",
           {{"reviews", 50},
            {"campaigns", 5},
            {"recall_queue_or_reject", 0.8},
            {"recall_reject", 0.7},
            {"roc_auc_against_genuine", 0.96},
            {"campaigns_at_least_half_caught", 4}}}}}}},
      {"forecast",
       {{"replay", shares},
        {"replay_test_users", shares},
        {"farm", caught},
        {"bomb", caught},
        {"crowd_new_product", shares},
        {"crowd_established_product", shares},
        {"demo_real_texts", shares},
        {"demo_generated", caught}}},
      {"feature_importance",
       {{{"feature", "reviews_24h"}, {"total_gain_share", 0.1}, {"first_reason_share", 0.2}},
        {{"feature", "near_dup_similarity"},
         {"total_gain_share", 0.6},
         {"first_reason_share", 0.5}}}},
      {"counts",
       {{"train", {{"genuine_reviews", 6}, {"campaign_reviews", 8}}},
        {"valid", {{"genuine_reviews", 2}, {"campaign_reviews", 3}}},
        {"test", {{"genuine_reviews", 2}, {"campaign_reviews", 3}}},
        {"genuine_shoppers", 10},
        {"warm_up_reviews", 4},
        {"campaigns", {{"review_bomb", {{"train", 3}, {"test", 1}}}}}}},
  };
}

TEST(ReportTest, StatesEachFigureAgainstItsTarget) {
  const std::string good = RenderReport(Meta(0.985, 0.002));
  EXPECT_THAT(good, HasSubstr("# Fraud model fraud-gbt-x: evaluation"));
  EXPECT_THAT(good, HasSubstr("| ROC AUC, held-out campaigns vs held-out shoppers | 0.9850 | "
                              ">= 0.97: met |"));
  EXPECT_THAT(good, HasSubstr("| genuine reviews rejected | 0.20 % | <= 0.50 %: met |"));
  EXPECT_THAT(good, HasSubstr("recall on `competitor_one_star` (unseen in training), queued or "
                              "rejected | 80.00 %"));
  EXPECT_THAT(good, HasSubstr("| `competitor_one_star` (unseen in training) | 5 | 50 |"));
  EXPECT_THAT(good, HasSubstr("| genuine | 980 | 10 | 10 |"));
  EXPECT_THAT(good, HasSubstr("| `review_bomb` | 3 | 0 | 1 |"));
  EXPECT_THAT(good, HasSubstr("a new product, one hour | 100 | 1.00 % | 0.20 % | rejected <= 5 %: "
                              "met |"));
  EXPECT_THAT(good, HasSubstr("aged history-less accounts, an address each, real texts | 100 | "
                              "1.00 % | 0.20 % | passed >= 90 %: met (98.80 %) |"));
  // The demo as generated, every review caught: far below its target.
  EXPECT_THAT(good, HasSubstr("word-list texts and ratings | 300 |"));
  EXPECT_THAT(good, HasSubstr("passed >= 90 %: **not met**"));
  // Importance is sorted by gain.
  EXPECT_LT(good.find("`near_dup_similarity` | 60.00 %"), good.find("`reviews_24h` | 10.00 %"));

  const std::string bad = RenderReport(Meta(0.9, 0.02));
  EXPECT_THAT(bad, HasSubstr("| 0.9000 | >= 0.97: **not met** |"));
  EXPECT_THAT(bad, HasSubstr("| genuine reviews rejected | 2.00 % | <= 0.50 %: **not met** |"));
}

}  // namespace
}  // namespace candor::fraud_train
