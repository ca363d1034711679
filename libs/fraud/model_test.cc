#include "libs/fraud/model.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/temp_dir.h"
#include "nlohmann/json.hpp"

namespace candor::fraud {
namespace {

using ::testing::HasSubstr;

constexpr char kVersion[] = "fraud-gbt-test-1";

// Synthetic reviews: fraud posts many reviews a day and copies text; everything else is noise.
struct Data {
  std::vector<float> x;  // rows x columns
  std::vector<float> y;
  std::size_t rows = 0;
};

Data MakeData(std::size_t rows, std::size_t columns, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  Data d;
  d.rows = rows;
  for (std::size_t i = 0; i < rows; ++i) {
    const bool fraud = i % 3 == 0;
    for (std::size_t c = 0; c < columns; ++c) d.x.push_back(u(rng) * 5);
    float* row = &d.x[i * columns];
    const auto reviews = static_cast<std::size_t>(Feature::kReviews24h) % columns;
    const auto dup = static_cast<std::size_t>(Feature::kNearDupSimilarity) % columns;
    row[reviews] = fraud ? 8 + u(rng) * 20 : 1 + u(rng) * 2;
    row[dup] = fraud ? 0.6F + u(rng) * 0.4F : u(rng) * 0.5F;
    d.y.push_back(fraud ? 1 : 0);
  }
  return d;
}

void Check(int rc) { ASSERT_EQ(rc, 0) << XGBGetLastError(); }

// Trains a small booster through the C API and saves it (JSON) to `path`, stamped with
// `version` when it is not empty.
void TrainTo(const std::string& path, std::size_t columns = kFeatureCount,
             const char* objective = "binary:logistic", const std::string& version = kVersion) {
  const Data d = MakeData(600, columns, 7);
  DMatrixHandle m = nullptr;
  Check(XGDMatrixCreateFromMat(d.x.data(), d.rows, columns, NAN, &m));
  Check(XGDMatrixSetFloatInfo(m, "label", d.y.data(), d.rows));
  BoosterHandle b = nullptr;
  Check(XGBoosterCreate(&m, 1, &b));
  Check(XGBoosterSetParam(b, "objective", objective));
  Check(XGBoosterSetParam(b, "tree_method", "hist"));
  Check(XGBoosterSetParam(b, "max_depth", "3"));
  Check(XGBoosterSetParam(b, "nthread", "1"));
  Check(XGBoosterSetParam(b, "seed", "1"));
  for (int i = 0; i < 20; ++i) Check(XGBoosterUpdateOneIter(b, i, m));
  if (!version.empty()) Check(XGBoosterSetAttr(b, kModelVersionAttribute, version.c_str()));
  Check(XGBoosterSaveModel(b, path.c_str()));
  Check(XGBoosterFree(b));
  Check(XGDMatrixFree(m));
}

nlohmann::json Metadata() {
  nlohmann::json names = nlohmann::json::array();
  for (std::string_view n : FeatureNames()) names.push_back(n);
  return {{"version", kVersion},
          {"feature_names", names},
          {"thresholds", {{"queue", 0.3}, {"reject", 0.7}}},
          {"training", {{"rounds", 20}}}};
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = dir_.Path("model.json");
    meta_ = model_ + ".meta.json";
  }

  void WriteGood() {
    TrainTo(model_);
    WriteFile(meta_, Metadata().dump(2));
  }

  // The message Load refuses with (empty when it loads).
  std::string Refusal() {
    absl::StatusOr<std::unique_ptr<FraudModel>> m = FraudModel::Load(model_);
    if (m.ok()) return "";
    EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition) << m.status();
    return std::string(m.status().message());
  }

  static FeatureVector Row(float reviews_24h, float near_dup) {
    FeatureVector v{};
    v.fill(2.5F);
    At(v, Feature::kReviews24h) = reviews_24h;
    At(v, Feature::kNearDupSimilarity) = near_dup;
    return v;
  }

  candor::testing::TempDir dir_{"candor-model"};
  std::string model_;
  std::string meta_;
};

TEST_F(ModelTest, LoadsAndScoresProbabilities) {
  WriteGood();
  absl::StatusOr<std::unique_ptr<FraudModel>> m = FraudModel::Load(model_);
  ASSERT_TRUE(m.ok()) << m.status();
  const ModelMetadata& meta = (*m)->metadata();
  EXPECT_EQ(meta.version, kVersion);
  EXPECT_EQ(meta.feature_names.size(), kFeatureCount);
  EXPECT_DOUBLE_EQ(meta.queue_threshold, 0.3);
  EXPECT_DOUBLE_EQ(meta.reject_threshold, 0.7);
  EXPECT_EQ(nlohmann::json::parse(meta.metadata_json), Metadata());

  absl::StatusOr<std::vector<Prediction>> p =
      (*m)->PredictBatch({Row(20, 0.9F), Row(1.5F, 0.1F)}, 0);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_GT((*p)[0].score, 0.9F);
  EXPECT_LT((*p)[1].score, 0.1F);
  for (const Prediction& q : *p) EXPECT_TRUE(q.reasons.empty());

  absl::StatusOr<std::vector<Prediction>> none = (*m)->PredictBatch({}, 3);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_F(ModelTest, ABatchScoresEachRowAsAloneWould) {
  WriteGood();
  auto m = FraudModel::Load(model_);
  ASSERT_TRUE(m.ok()) << m.status();
  std::vector<FeatureVector> rows;
  for (int i = 0; i < 250; ++i) rows.push_back(Row(static_cast<float>(i % 30), (i % 10) / 10.0F));
  auto batch = (*m)->PredictBatch(rows, 3);
  ASSERT_TRUE(batch.ok()) << batch.status();
  for (std::size_t i = 0; i < rows.size(); i += 17) {
    auto one = (*m)->PredictBatch({rows[i]}, 3);
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_FLOAT_EQ((*one)[0].score, (*batch)[i].score) << i;
    ASSERT_EQ((*one)[0].reasons.size(), (*batch)[i].reasons.size()) << i;
    for (std::size_t r = 0; r < (*one)[0].reasons.size(); ++r) {
      EXPECT_EQ((*one)[0].reasons[r].feature, (*batch)[i].reasons[r].feature);
      EXPECT_FLOAT_EQ((*one)[0].reasons[r].weight, (*batch)[i].reasons[r].weight);
    }
  }
}

// The reasons are XGBoost's own per-feature (approximate) contributions: all of them (with the
// bias) add up to the margin, and the reasons are the largest positive ones, largest first, with
// their values.
TEST_F(ModelTest, ReasonsAreTheLargestPositiveContributions) {
  WriteGood();
  auto m = FraudModel::Load(model_);
  ASSERT_TRUE(m.ok()) << m.status();
  const std::vector<FeatureVector> rows = {Row(20, 0.9F), Row(9, 0.2F), Row(1, 0.95F)};

  // The full (approximate) contributions, straight from the C API on the same model file.
  BoosterHandle b = nullptr;
  Check(XGBoosterCreate(nullptr, 0, &b));
  Check(XGBoosterLoadModel(b, model_.c_str()));
  DMatrixHandle d = nullptr;
  Check(XGDMatrixCreateFromMat(rows.front().data(), rows.size(), kFeatureCount, NAN, &d));
  bst_ulong len = 0;
  const float* all = nullptr;
  // 4: contributions, 8: approximate ones.
  Check(XGBoosterPredict(b, d, /*option_mask=*/4 | 8, 0, 0, &len, &all));
  ASSERT_EQ(len, rows.size() * (kFeatureCount + 1));
  const std::vector<float> contributions(all, all + len);
  Check(XGDMatrixFree(d));
  Check(XGBoosterFree(b));

  auto full = (*m)->PredictBatch(rows, static_cast<int>(kFeatureCount));
  auto top2 = (*m)->PredictBatch(rows, 2);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_TRUE(top2.ok()) << top2.status();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const float* c = &contributions[i * (kFeatureCount + 1)];
    double margin = 0;
    std::size_t positive = 0;
    for (std::size_t f = 0; f <= kFeatureCount; ++f) margin += c[f];
    for (std::size_t f = 0; f < kFeatureCount; ++f) positive += c[f] > 0 ? 1 : 0;
    const double score = (*full)[i].score;
    EXPECT_NEAR(margin, std::log(score / (1 - score)), 1e-3) << i;

    const std::vector<Contribution>& reasons = (*full)[i].reasons;
    ASSERT_EQ(reasons.size(), positive) << i;
    for (std::size_t r = 0; r < reasons.size(); ++r) {
      const auto f = static_cast<std::size_t>(reasons[r].feature);
      EXPECT_FLOAT_EQ(reasons[r].weight, c[f]);
      EXPECT_FLOAT_EQ(reasons[r].value, rows[i][f]);
      EXPECT_GT(reasons[r].weight, 0);
      if (r > 0) {
        EXPECT_GE(reasons[r - 1].weight, reasons[r].weight);
      }
    }
    ASSERT_EQ((*top2)[i].reasons.size(), std::min<std::size_t>(2, positive));
    for (std::size_t r = 0; r < (*top2)[i].reasons.size(); ++r) {
      EXPECT_EQ((*top2)[i].reasons[r].feature, reasons[r].feature);
    }
  }
  // The fraud-like row is pushed up by the two features that make fraud here.
  ASSERT_FALSE((*top2)[0].reasons.empty());
  EXPECT_THAT((std::vector<Feature>{Feature::kReviews24h, Feature::kNearDupSimilarity}),
              ::testing::Contains((*top2)[0].reasons[0].feature));
}

TEST_F(ModelTest, RefusesAMissingModelOrMetadata) {
  EXPECT_THAT(Refusal(), HasSubstr(model_ + ": cannot be read"));
  TrainTo(model_);
  EXPECT_THAT(Refusal(), HasSubstr(meta_ + ": cannot be read"));
}

TEST_F(ModelTest, RefusesACorruptModel) {
  WriteGood();
  const std::string good = ReadAll(model_);
  WriteFile(model_, good.substr(0, good.size() / 2));
  EXPECT_THAT(Refusal(), HasSubstr(model_ + ": is not a loadable XGBoost model"));
  WriteFile(model_, "not a model at all");
  EXPECT_THAT(Refusal(), HasSubstr(model_ + ": is not a loadable XGBoost model"));
  WriteFile(model_, "{}");
  EXPECT_THAT(Refusal(), HasSubstr(model_ + ": is not a loadable XGBoost model"));
  WriteFile(model_, "");
  EXPECT_THAT(Refusal(), HasSubstr(model_ + ": is not a loadable XGBoost model"));
}

TEST_F(ModelTest, RefusesCorruptMetadata) {
  WriteGood();
  WriteFile(meta_, "{\"version\": ");
  EXPECT_THAT(Refusal(), HasSubstr(meta_ + ": is not valid JSON"));
  WriteFile(meta_, "[]");
  EXPECT_THAT(Refusal(), HasSubstr(meta_ + ": is not a JSON object"));

  nlohmann::json j = Metadata();
  j.erase("version");
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr("\"version\" is missing"));

  j = Metadata();
  j["feature_names"] = "account_age_days";
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr("\"feature_names\" is missing or not an array"));

  j = Metadata();
  j.erase("thresholds");
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr("\"thresholds\" is missing"));

  j = Metadata();
  j["thresholds"] = {{"queue", 0.8}, {"reject", 0.7}};
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr("thresholds must satisfy 0 <= queue <= reject <= 1"));
}

TEST_F(ModelTest, RefusesFeatureNamesThatDiffer) {
  WriteGood();
  nlohmann::json j = Metadata();
  std::swap(j["feature_names"][3], j["feature_names"][4]);
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr("feature_names differ from this build's features at position "
                                   "3: the model has \"rating_variance\", this build "
                                   "\"avg_rating_given\""));

  j = Metadata();
  j["feature_names"].erase(j["feature_names"].size() - 1);
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(),
              HasSubstr(absl::StrCat("at position ", kFeatureCount - 1,
                                     ": the model has \"(none)\", this build \"",
                                     std::string(FeatureNames().back()), "\" (", kFeatureCount - 1,
                                     " against ", kFeatureCount, " features)")));

  j = Metadata();
  j["feature_names"].push_back("shoe_size");
  WriteFile(meta_, j.dump());
  EXPECT_THAT(Refusal(), HasSubstr(absl::StrCat("at position ", kFeatureCount,
                                                ": the model has \"shoe_size\"")));
}

TEST_F(ModelTest, RefusesABoosterWithAnotherFeatureCount) {
  TrainTo(model_, 5);
  WriteFile(meta_, Metadata().dump());
  EXPECT_THAT(Refusal(), HasSubstr(absl::StrCat(model_,
                                                ": the booster takes 5 features, this "
                                                "build computes ",
                                                kFeatureCount)));
}

TEST_F(ModelTest, RefusesAnotherObjective) {
  TrainTo(model_, kFeatureCount, "reg:squarederror");
  WriteFile(meta_, Metadata().dump());
  EXPECT_THAT(Refusal(), HasSubstr("objective is \"reg:squarederror\", not \"binary:logistic\""));
}

TEST_F(ModelTest, RefusesMetadataOfAnotherModel) {
  TrainTo(model_, kFeatureCount, "binary:logistic", "fraud-gbt-other");
  WriteFile(meta_, Metadata().dump());
  EXPECT_THAT(Refusal(), HasSubstr("its version attribute \"fraud-gbt-other\" differs from the "
                                   "metadata's \"fraud-gbt-test-1\""));
  TrainTo(model_, kFeatureCount, "binary:logistic", "");
  EXPECT_THAT(Refusal(), HasSubstr("its version attribute \"(none)\""));
}

}  // namespace
}  // namespace candor::fraud
