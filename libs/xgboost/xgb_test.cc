#include "libs/xgboost/xgb.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/temp_dir.h"

namespace candor::xgb {
namespace {

constexpr char kAttribute[] = "test_version";

// Two features: the label is feature 0 above 0.5; feature 1 is constant, so no tree splits on it.
struct Data {
  std::vector<float> values;
  std::vector<float> labels;
};

Data MakeData(int rows) {
  Data d;
  for (int i = 0; i < rows; ++i) {
    const float x = static_cast<float>(i % 100) / 100.0F;
    d.values.push_back(x);
    d.values.push_back(1.0F);
    d.labels.push_back(x > 0.5F ? 1.0F : 0.0F);
  }
  return d;
}

ModelCheck Check() {
  return ModelCheck{.kind = "test model",
                    .features = 2,
                    .version_attribute = kAttribute,
                    .objective_problem = [](const std::string& objective) {
                      return objective == "binary:logistic"
                                 ? std::string()
                                 : absl::StrCat("objective is \"", objective, "\"");
                    }};
}

class XgbTest : public ::testing::Test {
 protected:
  // Trains a few rounds and writes the model (version "v1") and a metadata file beside it.
  void SetUp() override {
    const Data d = MakeData(400);
    absl::StatusOr<DMatrix> matrix = DenseMatrix(d.values.data(), d.labels.size(), 2, 1);
    ASSERT_TRUE(matrix.ok()) << matrix.status();
    ASSERT_EQ(XGDMatrixSetFloatInfo(matrix->get(), "label", d.labels.data(), d.labels.size()), 0)
        << LastError();
    const DMatrixHandle cache[] = {matrix->get()};
    absl::StatusOr<Booster> booster = CreateBooster(cache);
    ASSERT_TRUE(booster.ok()) << booster.status();
    const std::vector<std::pair<std::string, std::string>> params = {
        {"objective", "binary:logistic"}, {"max_depth", "2"}, {"nthread", "1"}, {"seed", "1"}};
    ASSERT_TRUE(SetParams(booster->get(), params).ok());
    for (int round = 0; round < 5; ++round) {
      ASSERT_EQ(XGBoosterUpdateOneIter(booster->get(), round, matrix->get()), 0) << LastError();
    }
    ASSERT_TRUE(SaveModel(booster->get(), 3, kAttribute, "v1", model_).ok());
    std::ofstream(MetadataPath(model_)) << R"({"version": "v1"})";
  }

  testing::TempDir dir_{"candor-xgb-test"};
  std::string model_ = dir_.Path("model.json");
};

TEST_F(XgbTest, SavedModelLoadsAndPredictsItsLabels) {
  absl::StatusOr<std::string> meta = ReadMetadata(model_, Check());
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(*meta, R"({"version": "v1"})");
  absl::StatusOr<Booster> booster = LoadModel(model_, Check(), "v1");
  ASSERT_TRUE(booster.ok()) << booster.status();

  // SaveModel kept 3 of the 5 rounds.
  int rounds = 0;
  ASSERT_EQ(XGBoosterBoostedRounds(booster->get(), &rounds), 0) << LastError();
  EXPECT_EQ(rounds, 3);
  absl::StatusOr<std::string> objective = Objective(booster->get());
  ASSERT_TRUE(objective.ok()) << objective.status();
  EXPECT_EQ(*objective, "binary:logistic");

  const std::vector<float> rows = {0.1F, 1.0F, 0.9F, 1.0F};
  absl::StatusOr<DMatrix> matrix = DenseMatrix(rows.data(), 2, 2, 1);
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  absl::StatusOr<const float*> scores = Predict(booster->get(), matrix->get(), 0, 2, 1);
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_LT((*scores)[0], 0.5F);
  EXPECT_GT((*scores)[1], 0.5F);
  // Contributions (type 3) are one column per feature and the bias: asking for 1 is refused.
  EXPECT_EQ(Predict(booster->get(), matrix->get(), 3, 2, 1).status().code(),
            absl::StatusCode::kInternal);
  absl::StatusOr<const float*> contributions = Predict(booster->get(), matrix->get(), 3, 2, 3);
  ASSERT_TRUE(contributions.ok()) << contributions.status();
  EXPECT_EQ((*contributions)[1], 0.0F);  // the constant feature explains nothing
}

TEST_F(XgbTest, TotalGainIsOnTheFeatureTheTreesSplitOn) {
  absl::StatusOr<std::vector<double>> gain = TotalGain(model_, 2);
  ASSERT_TRUE(gain.ok()) << gain.status();
  ASSERT_EQ(gain->size(), 2U);
  EXPECT_GT((*gain)[0], 0);
  EXPECT_EQ((*gain)[1], 0);
  EXPECT_EQ(TotalGain(dir_.Path("absent.json"), 2).status().code(), absl::StatusCode::kInternal);
}

TEST_F(XgbTest, LoadRefusesWhatDoesNotFit) {
  const auto refused = [](const absl::StatusOr<Booster>& b) {
    EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition);
    return std::string(b.status().message());
  };
  EXPECT_EQ(refused(LoadModel(model_, Check(), "v2")),
            absl::StrCat("test model ", model_,
                         ": its version attribute \"v1\" differs from the "
                         "metadata's \"v2\" (",
                         MetadataPath(model_), " belongs to another model)"));
  ModelCheck three = Check();
  three.features = 3;
  EXPECT_EQ(
      refused(LoadModel(model_, three, "v1")),
      absl::StrCat("test model ", model_, ": the booster takes 2 features, this build computes 3"));
  ModelCheck ranking = Check();
  ranking.version_attribute = "other_attribute";
  EXPECT_TRUE(absl::StrContains(refused(LoadModel(model_, ranking, "v1")),
                                "its version attribute \"(none)\""));
  ModelCheck rank = Check();
  rank.objective_problem = [](const std::string& o) { return absl::StrCat("objective is ", o); };
  EXPECT_EQ(refused(LoadModel(model_, rank, "v1")),
            absl::StrCat("test model ", model_, ": objective is binary:logistic"));

  const std::string junk = dir_.Path("junk.json");
  std::ofstream(junk) << "not a model";
  const std::string message = refused(LoadModel(junk, Check(), "v1"));
  EXPECT_TRUE(absl::StartsWith(
      message, absl::StrCat("test model ", junk, ": is not a loadable XGBoost model: ")))
      << message;
  EXPECT_FALSE(absl::StrContains(message, "\n")) << message;
}

TEST_F(XgbTest, ReadMetadataNamesTheFileThatIsMissing) {
  const std::string bare = dir_.Path("bare.json");
  std::ofstream(bare) << "{}";
  EXPECT_EQ(ReadMetadata(bare, Check()).status(),
            absl::FailedPreconditionError(
                absl::StrCat("test model ", MetadataPath(bare), ": cannot be read")));
  const std::string absent = dir_.Path("absent.json");
  std::ofstream(MetadataPath(absent)) << "{}";
  EXPECT_EQ(ReadMetadata(absent, Check()).status(),
            absl::FailedPreconditionError(absl::StrCat("test model ", absent, ": cannot be read")));
}

TEST(XgbErrorTest, ErrorsAreOneLineNamingTheCall) {
  absl::StatusOr<Booster> booster = CreateBooster();
  ASSERT_TRUE(booster.ok()) << booster.status();
  ASSERT_NE(XGBoosterLoadModel(booster->get(), "/nonexistent/model.json"), 0);
  const std::string last = LastError();
  EXPECT_FALSE(last.empty());
  EXPECT_FALSE(absl::StrContains(last, "\n"));
  EXPECT_NE(last.back(), ':');
  EXPECT_EQ(Error("load"), absl::InternalError(absl::StrCat("XGBoost load: ", last)));
}

// Boost on data whose validation logloss keeps falling for a while: it runs, keeps the best round
// and stops early once the metric has not improved for early_stopping_rounds.
TEST(XgbBoostTest, StopsWhenTheMetricNoLongerImproves) {
  const Data d = MakeData(400);
  absl::StatusOr<DMatrix> train = DenseMatrix(d.values.data(), d.labels.size(), 2, 1);
  ASSERT_TRUE(train.ok()) << train.status();
  ASSERT_EQ(XGDMatrixSetFloatInfo(train->get(), "label", d.labels.data(), d.labels.size()), 0);
  const DMatrixHandle cache[] = {train->get()};
  absl::StatusOr<Booster> booster = CreateBooster(cache);
  ASSERT_TRUE(booster.ok()) << booster.status();
  const std::vector<std::pair<std::string, std::string>> params = {{"objective", "binary:logistic"},
                                                                   {"max_depth", "2"},
                                                                   {"nthread", "1"},
                                                                   {"eval_metric", "logloss"},
                                                                   {"eval_metric", "error"}};
  ASSERT_TRUE(SetParams(booster->get(), params).ok());
  std::ostringstream progress;
  // The validation set is the training set: logloss falls round after round.
  absl::StatusOr<BoostOutcome> falling =
      Boost(booster->get(), train->get(), train->get(),
            {.max_rounds = 12, .early_stopping_rounds = 3, .metric = "valid-logloss", .label = "t"},
            &progress);
  ASSERT_TRUE(falling.ok()) << falling.status();
  EXPECT_EQ(falling->rounds_run, 12);
  EXPECT_EQ(falling->best_rounds, 12);
  EXPECT_EQ(falling->best_value, EvalMetric(falling->best_eval, "valid-logloss"));
  EXPECT_FALSE(std::isnan(EvalMetric(falling->best_eval, "valid-error")));
  EXPECT_THAT(progress.str(), ::testing::StartsWith("t: round 0  [0]\t"));
  EXPECT_THAT(progress.str(), ::testing::HasSubstr("t: round 10  [10]\t"));
  EXPECT_THAT(progress.str(), ::testing::HasSubstr("t: round 11  [11]\t"));

  // Maximising a falling logloss: round 1 is the best, three rounds later it stops.
  absl::StatusOr<Booster> again = CreateBooster(cache);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(SetParams(again->get(), params).ok());
  progress.str("");
  absl::StatusOr<BoostOutcome> stopped = Boost(again->get(), train->get(), train->get(),
                                               {.max_rounds = 12,
                                                .early_stopping_rounds = 3,
                                                .metric = "valid-logloss",
                                                .maximize = true,
                                                .label = "t"},
                                               &progress);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->best_rounds, 1);
  EXPECT_EQ(stopped->rounds_run, 4);
  EXPECT_THAT(progress.str(), ::testing::HasSubstr("t: stopped after round 3: valid-logloss last "
                                                   "improved at round 0 ("));
}

struct TestParams {
  int max_depth = 3;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 1;
  double min_child_weight = 2;
  double lambda = 1.5;
  int max_rounds = 100;
  int early_stopping_rounds = 10;
  int threads = 2;
  uint64_t seed = 7;
};

TEST(XgbParamsTest, HistParamsInXgboostsNamesAndForTheMetadata) {
  const std::vector<std::pair<std::string, std::string>> want = {
      {"objective", "rank:ndcg"}, {"tree_method", "hist"},
      {"max_depth", "3"},         {"eta", "0.05"},
      {"subsample", "0.8"},       {"colsample_bytree", "1"},
      {"min_child_weight", "2"},  {"lambda", "1.5"},
      {"nthread", "2"},           {"seed", "7"}};
  EXPECT_EQ(HistParams("rank:ndcg", TestParams{}), want);
  EXPECT_EQ(HistParamsJson("rank:ndcg", TestParams{}),
            (nlohmann::json{{"objective", "rank:ndcg"},
                            {"tree_method", "hist"},
                            {"max_depth", 3},
                            {"eta", 0.05},
                            {"subsample", 0.8},
                            {"colsample_bytree", 1.0},
                            {"min_child_weight", 2.0},
                            {"lambda", 1.5},
                            {"max_rounds", 100},
                            {"early_stopping_rounds", 10},
                            {"threads", 2},
                            {"xgboost_seed", 7}}));
}

TEST(XgbMetadataTest, FeatureNamesMustBeThisBuildsInOrder) {
  constexpr std::string_view kExpected[] = {"a", "b", "c"};
  absl::StatusOr<std::vector<std::string>> names =
      FeatureNames(nlohmann::json{{"feature_names", {"a", "b", "c"}}}, kExpected);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));

  const auto problem = [&](const nlohmann::json& metadata) {
    return std::string(FeatureNames(metadata, kExpected).status().message());
  };
  EXPECT_EQ(problem(nlohmann::json{{"version", "v"}}),
            "\"feature_names\" is missing or not an array");
  EXPECT_EQ(problem(nlohmann::json{{"feature_names", "a"}}),
            "\"feature_names\" is missing or not an array");
  EXPECT_EQ(problem(nlohmann::json{{"feature_names", {"a", 2, "c"}}}),
            "\"feature_names\" holds a value that is not a string");
  EXPECT_EQ(problem(nlohmann::json{{"feature_names", {"a", "x", "c"}}}),
            "feature_names differ from this build's features at position 1: the model has "
            "\"x\", this build \"b\" (3 against 3 features)");
  EXPECT_EQ(problem(nlohmann::json{{"feature_names", {"a", "b"}}}),
            "feature_names differ from this build's features at position 2: the model has "
            "\"(none)\", this build \"c\" (2 against 3 features)");
}

TEST(XgbMetricTest, EvalMetricReadsOneField) {
  const std::string line = "[12]\ttrain-logloss:0.125\tvalid-logloss:0.25\tvalid-auc:0.9";
  EXPECT_EQ(EvalMetric(line, "valid-logloss"), 0.25);
  EXPECT_EQ(EvalMetric(line, "train-logloss"), 0.125);
  EXPECT_EQ(EvalMetric(line, "valid-auc"), 0.9);
  EXPECT_TRUE(std::isnan(EvalMetric(line, "valid-ndcg@10")));
  EXPECT_TRUE(std::isnan(EvalMetric("[3]\tvalid-logloss:nan-ish", "valid-logloss")));
}

}  // namespace
}  // namespace candor::xgb
