#include "tools/candor-fraud-train/trainer.h"

#include <fstream>
#include <random>

#include "gtest/gtest.h"
#include "libs/fraud/model.h"
#include "libs/testing/temp_dir.h"

namespace candor::fraud_train {
namespace {

using fraud::At;
using fraud::Feature;

// Campaign rows copy text and come from fresh accounts; the label is noisy.
Dataset Make(int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  Dataset d;
  for (int i = 0; i < rows; ++i) {
    fraud::FeatureVector v{};
    for (float& x : v) x = u(rng);
    const bool campaign = u(rng) < 0.4;
    At(v, Feature::kNearDupSimilarity) = campaign ? 0.4F + 0.6F * u(rng) : 0.6F * u(rng);
    At(v, Feature::kAccountAgeDays) = campaign ? 30 * u(rng) : 20 + 900 * u(rng);
    d.x.push_back(v);
    d.label.push_back(campaign != (u(rng) < 0.05) ? 1 : 0);
    d.weight.push_back(1);
  }
  return d;
}

class TrainerTest : public ::testing::Test {
 protected:
  candor::testing::TempDir dir_{"candor-train"};
  std::string model_ = dir_.Path("m.json");
};

TEST_F(TrainerTest, StopsEarlyKeepsTheBestRoundsAndLoads) {
  TrainParams p;
  p.max_depth = 3;
  p.eta = 0.3;
  p.max_rounds = 300;
  p.early_stopping_rounds = 10;
  p.threads = 1;
  absl::StatusOr<TrainOutcome> out =
      Train(Make(3000, 1), Make(1000, 2), p, "v-test", model_, nullptr);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_LT(out->rounds_run, p.max_rounds) << "the noisy label stops improving";
  EXPECT_EQ(out->rounds_run, out->best_rounds + p.early_stopping_rounds);
  EXPECT_GT(out->best_valid_auc, 0.9);

  nlohmann::json names = nlohmann::json::array();
  for (std::string_view n : fraud::FeatureNames()) names.push_back(n);
  std::ofstream(model_ + ".meta.json") << nlohmann::json{
      {"version", "v-test"},
      {"feature_names", names},
      {"thresholds",
       {{"queue", 0.3}, {"reject", 0.7}}}}.dump();
  absl::StatusOr<std::unique_ptr<fraud::FraudModel>> model = fraud::FraudModel::Load(model_);
  ASSERT_TRUE(model.ok()) << model.status();

  // The monotone constraints hold: more copied text never lowers the score, an older account
  // never raises it.
  std::vector<fraud::FeatureVector> rows;
  for (int i = 0; i <= 20; ++i) {
    fraud::FeatureVector v{};
    v.fill(0.5F);
    At(v, Feature::kNearDupSimilarity) = static_cast<float>(i) / 20;
    At(v, Feature::kAccountAgeDays) = 10;
    rows.push_back(v);
  }
  for (int i = 0; i <= 20; ++i) {
    fraud::FeatureVector v{};
    v.fill(0.5F);
    At(v, Feature::kNearDupSimilarity) = 0.5F;
    At(v, Feature::kAccountAgeDays) = static_cast<float>(i) * 50;
    rows.push_back(v);
  }
  absl::StatusOr<std::vector<fraud::Prediction>> p2 = (*model)->PredictBatch(rows, 0);
  ASSERT_TRUE(p2.ok()) << p2.status();
  for (int i = 1; i <= 20; ++i) {
    EXPECT_GE((*p2)[i].score, (*p2)[i - 1].score) << i;
    EXPECT_LE((*p2)[21 + i].score, (*p2)[20 + i].score) << i;
  }
  EXPECT_GT((*p2)[20].score, (*p2)[0].score);

  absl::StatusOr<std::array<double, fraud::kFeatureCount>> gain = TotalGain(model_);
  ASSERT_TRUE(gain.ok()) << gain.status();
  const auto top = std::max_element(gain->begin(), gain->end()) - gain->begin();
  EXPECT_TRUE(top == static_cast<int>(Feature::kNearDupSimilarity) ||
              top == static_cast<int>(Feature::kAccountAgeDays))
      << fraud::FeatureName(static_cast<Feature>(top));
}

TEST_F(TrainerTest, RefusesEmptySets) {
  EXPECT_FALSE(Train(Dataset{}, Make(10, 1), TrainParams{}, "v", model_, nullptr).ok());
}

TEST(TrainerParamsTest, MetadataListsTheConstraints) {
  const nlohmann::json j = ToJson(TrainParams{});
  EXPECT_EQ(j.at("objective"), "binary:logistic");
  EXPECT_EQ(j.at("monotone_constraints").at("near_dup_similarity"), 1);
  EXPECT_EQ(j.at("monotone_constraints").at("account_age_days"), -1);
  EXPECT_FALSE(j.at("monotone_constraints").contains("rating"));
  TrainParams off;
  off.monotone = false;
  EXPECT_TRUE(ToJson(off).at("monotone_constraints").empty());
}

}  // namespace
}  // namespace candor::fraud_train
