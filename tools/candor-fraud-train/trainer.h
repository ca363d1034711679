#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/fraud/features.h"
#include "nlohmann/json.hpp"

namespace candor::fraud_train {

// Labelled rows for XGBoost.
struct Dataset {
  std::vector<fraud::FeatureVector> x;
  std::vector<float> label;   // 1 = campaign
  std::vector<float> weight;  // per row
  std::size_t size() const { return x.size(); }
};

// XGBoost's training parameters (README.md, "Training").
struct TrainParams {
  int max_depth = 5;
  double eta = 0.1;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 2;
  double lambda = 1;
  int max_rounds = 600;
  int early_stopping_rounds = 40;
  int threads = 2;
  uint64_t seed = 1;
  bool monotone = true;  // MonotoneDirections() as constraints
};

// The direction each feature may move the score in when `monotone` is on: +1 only up, -1 only
// down, 0 free. Chosen so that the model cannot learn what would punish ordinary shoppers for
// what the simulator happens to give them (README.md says why for each).
const std::array<int, fraud::kFeatureCount>& MonotoneDirections();

struct TrainOutcome {
  int rounds_run = 0;
  int best_rounds = 0;  // trees kept (early stopping's best iteration + 1)
  double best_valid_logloss = 0;
  double best_valid_auc = 0;
};

// Trains binary:logistic with the hist tree method through the C API on `train`, evaluating
// logloss and AUC on `valid` after every round and stopping when logloss has not improved for
// early_stopping_rounds; keeps the best round's trees, stamps `version` into the model
// (fraud::kModelVersionAttribute) and saves it as JSON to `model_path`. Progress every ten
// rounds to `progress` when not null. Errors: Internal with XGBoost's message.
absl::StatusOr<TrainOutcome> Train(const Dataset& train, const Dataset& valid,
                                   const TrainParams& params, const std::string& version,
                                   const std::string& model_path, std::ostream* progress);

// The parameters as the metadata records them.
nlohmann::json ToJson(const TrainParams& p);

// Each feature's total gain over the saved model's splits (XGBoost's "total_gain"), in feature
// order; 0 for a feature no split uses.
absl::StatusOr<std::array<double, fraud::kFeatureCount>> TotalGain(const std::string& model_path);

}  // namespace candor::fraud_train
