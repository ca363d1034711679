#pragma once

#include <xgboost/c_api.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

// The XGBoost C API plumbing that Candor's two boosted models share (README.md): the fraud
// model (libs/fraud/model.cc, tools/candor-fraud-train) and the recommendation ranker
// (libs/reco/ltr_ranker.cc, ltr_train.cc). What each model means (its features, objective and
// metadata) stays with the model; this is the handles, the errors and the files.
namespace candor::xgb {

// XGBoost's message for the call that just failed on this thread: its first line (a debug build
// of XGBoost appends a stack trace), without the trailing space and colon; "no message" when it
// has none.
std::string LastError();

// InternalError "XGBoost <what>: <LastError()>", for the call that just failed.
absl::Status Error(absl::string_view what);

// Owners of XGBoost's handles (XGBoosterFree, XGDMatrixFree).
struct BoosterDeleter {
  void operator()(void* h) const;
};
struct DMatrixDeleter {
  void operator()(void* h) const;
};
using Booster = std::unique_ptr<void, BoosterDeleter>;
using DMatrix = std::unique_ptr<void, DMatrixDeleter>;

// A new booster, with `cache` the matrices it trains and evaluates on (none to load a model).
// Error("booster") when XGBoost refuses.
absl::StatusOr<Booster> CreateBooster(std::span<const DMatrixHandle> cache = {});

// `rows` rows of `columns` floats at `values`, row after row; NaN is a missing value. Built with
// `threads` threads. Error("DMatrix") when XGBoost refuses.
absl::StatusOr<DMatrix> DenseMatrix(const float* values, std::size_t rows, std::size_t columns,
                                    int threads);

// The tree parameters both trainers take, as fields of their own params struct (each with its
// own defaults): max_depth, eta, subsample, colsample_bytree, min_child_weight, lambda, threads,
// seed, and the rounds of early stopping.
template <typename P>
concept TreeParams = requires(const P& p) {
  p.max_depth;
  p.eta;
  p.subsample;
  p.colsample_bytree;
  p.min_child_weight;
  p.lambda;
  p.threads;
  p.seed;
  p.max_rounds;
  p.early_stopping_rounds;
};

// `objective` with the hist tree method and p's tree parameters, in XGBoost's names and in the
// order they are set (SetParams); the caller adds its eval metrics and constraints.
template <TreeParams P>
std::vector<std::pair<std::string, std::string>> HistParams(const std::string& objective,
                                                            const P& p) {
  return {{"objective", objective},
          {"tree_method", "hist"},
          {"max_depth", absl::StrCat(p.max_depth)},
          {"eta", absl::StrCat(p.eta)},
          {"subsample", absl::StrCat(p.subsample)},
          {"colsample_bytree", absl::StrCat(p.colsample_bytree)},
          {"min_child_weight", absl::StrCat(p.min_child_weight)},
          {"lambda", absl::StrCat(p.lambda)},
          {"nthread", absl::StrCat(p.threads)},
          {"seed", absl::StrCat(p.seed)}};
}

// The same parameters for a model's metadata, with the rounds: objective, tree_method, max_depth,
// eta, subsample, colsample_bytree, min_child_weight, lambda, max_rounds, early_stopping_rounds,
// threads and xgboost_seed; the caller adds its early_stopping_metric and the like.
template <TreeParams P>
nlohmann::json HistParamsJson(const std::string& objective, const P& p) {
  return {{"objective", objective},
          {"tree_method", "hist"},
          {"max_depth", p.max_depth},
          {"eta", p.eta},
          {"subsample", p.subsample},
          {"colsample_bytree", p.colsample_bytree},
          {"min_child_weight", p.min_child_weight},
          {"lambda", p.lambda},
          {"max_rounds", p.max_rounds},
          {"early_stopping_rounds", p.early_stopping_rounds},
          {"threads", p.threads},
          {"xgboost_seed", p.seed}};
}

// Sets every (name, value) in order; Error("parameter <name>") on the first that XGBoost refuses.
absl::Status SetParams(BoosterHandle booster,
                       std::span<const std::pair<std::string, std::string>> params);

// The value of `name` ("valid-logloss") in a line of XGBoosterEvalOneIter
// ("[12]\ttrain-logloss:0.1\tvalid-logloss:0.2"); NaN when the line does not have it.
double EvalMetric(absl::string_view eval, absl::string_view name);

// Early stopping on one metric of the validation matrix.
struct BoostOptions {
  int max_rounds = 0;             // rounds at the most
  int early_stopping_rounds = 0;  // stop when the metric has not improved for this many rounds
  std::string metric;             // its name in the eval line: "valid-logloss", "valid-ndcg@10"
  bool maximize = false;          // higher is better (NDCG); else lower (logloss)
  std::string label;              // progress lines start "<label>: "
};

// What Boost ran.
struct BoostOutcome {
  int rounds_run = 0;
  int best_rounds = 0;    // rounds up to the best one (the trees to keep)
  double best_value = 0;  // the metric at the best round
  std::string best_eval;  // the eval line of the best round (its other metrics: EvalMetric)
};

// Trains `booster` (its parameters set, `train` and `valid` in its cache) one round at a time,
// evaluating both as "train" and "valid" after each, until `options.metric` has not improved for
// early_stopping_rounds rounds or max_rounds are run. Progress on `progress` (may be null): the
// eval line of every tenth round and the last, and where it stopped. Error("update" / "eval").
absl::StatusOr<BoostOutcome> Boost(BoosterHandle booster, DMatrixHandle train, DMatrixHandle valid,
                                   const BoostOptions& options, std::ostream* progress);

// Prediction `type` (XGBoosterPredictFromDMatrix's "type": 0 the value, 3 the approximate
// contributions...) of `rows` rows: a buffer the booster owns until its next prediction, checked
// to hold rows x columns values. Not safe to call on one booster from two threads at once.
absl::StatusOr<const float*> Predict(BoosterHandle booster, DMatrixHandle matrix, int type,
                                     std::size_t rows, std::size_t columns);

// The learner's objective ("binary:logistic"), from the booster's JSON configuration.
absl::StatusOr<std::string> Objective(BoosterHandle booster);

// Writes the first `rounds` rounds of `booster` to `path` (XGBoost's JSON for a .json name) with
// `version` in the model's attribute `version_attribute`, so that a loader can refuse metadata
// that belongs to another model. Error("slice" / "attribute" / "save <path>") on failure.
absl::Status SaveModel(BoosterHandle booster, int rounds, const char* version_attribute,
                       const std::string& version, const std::string& path);

// A training from its matrices to its file, as both trainers run it: a booster with `train` and
// `valid` in its cache, `params` set (SetParams), boosted with early stopping (Boost, progress on
// `progress`, may be null) and its best rounds saved to `model_path` with `version` in
// `version_attribute` (SaveModel). Boost's outcome, or the first error of those calls.
absl::StatusOr<BoostOutcome> TrainAndSave(
    DMatrixHandle train, DMatrixHandle valid,
    std::span<const std::pair<std::string, std::string>> params, const BoostOptions& options,
    const char* version_attribute, const std::string& version, const std::string& model_path,
    std::ostream* progress);

// The metadata file beside a model: `<model_path>.meta.json`.
std::string MetadataPath(const std::string& model_path);

// What LoadModel checks of a model file. Every error is FailedPrecondition
// "<kind> <file>: <problem>".
struct ModelCheck {
  std::string kind;               // "fraud model", "ranker"
  uint64_t features = 0;          // the booster must take exactly this many
  std::string version_attribute;  // the attribute the trainer stamped (SaveModel)
  // The problem with the booster's objective ("objective is ..."), or "" when it fits.
  std::function<std::string(const std::string& objective)> objective_problem;
};

// The metadata's "feature_names" (`metadata` a JSON object): an array of strings that must be
// `expected`, in order. The names, or InvalidArgument whose message is the problem, for Refuse:
// "\"feature_names\" is missing or not an array", "... holds a value that is not a string", or
// "feature_names differ from this build's features at position I: the model has \"X\", this build
// \"Y\" (N against M features)".
absl::StatusOr<std::vector<std::string>> FeatureNames(const nlohmann::json& metadata,
                                                      std::span<const std::string_view> expected);

// FailedPrecondition "<kind> <file>: <problem>".
absl::Status Refuse(const ModelCheck& check, const std::string& file, absl::string_view problem);

// The text of MetadataPath(model_path), once the model file itself is readable (without it the
// metadata beside it means nothing): Refuse(file, "cannot be read") naming whichever is not.
absl::StatusOr<std::string> ReadMetadata(const std::string& model_path, const ModelCheck& check);

// Loads the booster at `model_path` for prediction (one thread per call: the caller owns its
// threads) and checks it against `check` and against `version`, the metadata's: the feature
// count, the objective and the stamped version attribute. Refuse(...) naming the problem.
absl::StatusOr<Booster> LoadModel(const std::string& model_path, const ModelCheck& check,
                                  const std::string& version);

// A booster with the metadata file beside it, loaded and checked together.
template <typename Metadata>
struct ModelWithMetadata {
  Booster booster;
  Metadata metadata;
};

// ReadMetadata, then `parse(MetadataPath(model_path), text)` (the model's own validation; its
// result has a `version`), then LoadModel against that version: the trainer stamps the version
// into the model too, so a metadata file beside the wrong model (one file replaced, not the
// other) is refused. The first error, unchanged.
template <typename Metadata>
absl::StatusOr<ModelWithMetadata<Metadata>> LoadModelWithMetadata(
    const std::string& model_path, const ModelCheck& check,
    absl::FunctionRef<absl::StatusOr<Metadata>(const std::string& path, std::string text)> parse) {
  absl::StatusOr<std::string> text = ReadMetadata(model_path, check);
  if (!text.ok()) return text.status();
  absl::StatusOr<Metadata> metadata = parse(MetadataPath(model_path), *std::move(text));
  if (!metadata.ok()) return metadata.status();
  absl::StatusOr<Booster> booster = LoadModel(model_path, check, metadata->version);
  if (!booster.ok()) return booster.status();
  return ModelWithMetadata<Metadata>{.booster = *std::move(booster),
                                     .metadata = *std::move(metadata)};
}

// The total gain of each of the first `features` features over the model's trees at `path` (0 for
// a feature no split uses). Error("booster" / "load" / "feature score") on failure.
absl::StatusOr<std::vector<double>> TotalGain(const std::string& path, std::size_t features);

}  // namespace candor::xgb
