#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/fraud/features.h"

namespace candor::fraud {

// What a model file says about itself: the metadata file written beside it by candor-fraud-train
// (`<model>.meta.json`). See README.md for the format.
struct ModelMetadata {
  std::string version;                     // "fraud-gbt-<date>-<seed>", stored with every decision
  std::vector<std::string> feature_names;  // input order; must equal FeatureNames()
  double queue_threshold = 0.30;           // the routing it was evaluated with
  double reject_threshold = 0.70;
  std::string metadata_json;  // the whole file (how it was trained, its evaluation), verbatim
};

// One feature's share in one prediction (XGBoost's approximate per-feature contribution, in
// log-odds; with the bias they add up to the margin).
struct Contribution {
  Feature feature = Feature::kCount;
  float value = 0;   // the feature's value
  float weight = 0;  // its contribution; positive pushes towards fraud
};

struct Prediction {
  float score = 0;                    // fraud probability in [0, 1]
  std::vector<Contribution> reasons;  // the largest positive contributions, largest first
};

// The XGBoost attribute in which candor-fraud-train stamps ModelMetadata::version into the model
// file, so that metadata beside the wrong model is refused.
inline constexpr char kModelVersionAttribute[] = "candor_version";

// A trained gradient-boosted model run through the XGBoost C API (libxgboost-dev 1.7).
// Immutable after Load; PredictBatch is safe to call from one thread at a time (XGBoost's booster
// is not documented thread-safe for concurrent predicts).
class FraudModel {
 public:
  virtual ~FraudModel() = default;

  // Loads `model_path` and its metadata `<model_path>.meta.json`. Errors (a missing or corrupt
  // file, metadata whose feature list differs from FeatureNames(), a booster whose feature count
  // differs, an objective other than binary:logistic, a model whose kModelVersionAttribute is not
  // the metadata's version) are FailedPrecondition with a message naming the file and the problem.
  static absl::StatusOr<std::unique_ptr<FraudModel>> Load(const std::string& model_path);

  virtual const ModelMetadata& metadata() const = 0;

  // Scores every row in one call to the booster; with `top_reasons` > 0 also the per-feature
  // contributions (one more call), keeping the `top_reasons` largest positive ones per row.
  virtual absl::StatusOr<std::vector<Prediction>> PredictBatch(
      const std::vector<FeatureVector>& rows, int top_reasons) = 0;
};

}  // namespace candor::fraud
