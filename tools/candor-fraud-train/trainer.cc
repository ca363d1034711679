#include "tools/candor-fraud-train/trainer.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/fraud/model.h"
#include "libs/xgboost/xgb.h"

namespace candor::fraud_train {
namespace {

using fraud::Feature;

// What FraudModel::Load accepts: probabilities.
constexpr char kObjective[] = "binary:logistic";

absl::StatusOr<xgb::DMatrix> ToMatrix(const Dataset& d, int threads) {
  absl::StatusOr<xgb::DMatrix> m =
      xgb::DenseMatrix(d.x.front().data(), d.size(), fraud::kFeatureCount, threads);
  if (!m.ok()) return m.status();
  if (XGDMatrixSetFloatInfo(m->get(), "label", d.label.data(), d.size()) != 0 ||
      XGDMatrixSetFloatInfo(m->get(), "weight", d.weight.data(), d.size()) != 0) {
    return xgb::Error("labels");
  }
  return m;
}

}  // namespace

const std::array<int, fraud::kFeatureCount>& MonotoneDirections() {
  static const std::array<int, fraud::kFeatureCount> kDirections = [] {
    std::array<int, fraud::kFeatureCount> d{};
    auto set = [&](Feature f, int v) { d[static_cast<std::size_t>(f)] = v; };
    // A longer, more verified history never makes an account more suspect.
    set(Feature::kAccountAgeDays, -1);
    set(Feature::kLifetimeReviews, -1);
    set(Feature::kVerifiedRatio, -1);
    set(Feature::kVerifiedPurchase, -1);
    // More activity, more crowding on a product, more copied text, more bad company: never less.
    set(Feature::kReviews24h, +1);
    set(Feature::kReviews7d, +1);
    set(Feature::kDistinctProducts24h, +1);
    set(Feature::kDatacenterIp, +1);
    set(Feature::kProductVelocityRatio, +1);
    set(Feature::kProductNewAccountRatio, +1);
    set(Feature::kRatingSpikeDelta, +1);
    set(Feature::kNearDupSimilarity, +1);
    set(Feature::kNearDupAccounts, +1);
    set(Feature::kSharedIpRejected, +1);
    set(Feature::kSharedDeviceRejected, +1);
    // Ratings, rating deviation, text lengths and rating history are free: campaigns push both
    // ways.
    return d;
  }();
  return kDirections;
}

absl::StatusOr<TrainOutcome> Train(const Dataset& train, const Dataset& valid, const TrainParams& p,
                                   const std::string& version, const std::string& model_path,
                                   std::ostream* progress) {
  if (train.size() == 0 || valid.size() == 0) {
    return absl::InvalidArgumentError("training and validation sets must not be empty");
  }
  absl::StatusOr<xgb::DMatrix> dtrain = ToMatrix(train, p.threads);
  if (!dtrain.ok()) return dtrain.status();
  absl::StatusOr<xgb::DMatrix> dvalid = ToMatrix(valid, p.threads);
  if (!dvalid.ok()) return dvalid.status();

  std::vector<std::pair<std::string, std::string>> params = xgb::HistParams(kObjective, p);
  params.emplace_back("eval_metric", "logloss");
  params.emplace_back("eval_metric", "auc");
  if (p.monotone) {
    params.emplace_back("monotone_constraints",
                        absl::StrCat("(", absl::StrJoin(MonotoneDirections(), ","), ")"));
  }
  const xgb::BoostOptions boost{.max_rounds = p.max_rounds,
                                .early_stopping_rounds = p.early_stopping_rounds,
                                .metric = "valid-logloss",
                                .maximize = false,
                                .label = "train"};
  absl::StatusOr<xgb::BoostOutcome> boosted =
      xgb::TrainAndSave(dtrain->get(), dvalid->get(), params, boost, fraud::kModelVersionAttribute,
                        version, model_path, progress);
  if (!boosted.ok()) return boosted.status();
  TrainOutcome out;
  out.rounds_run = boosted->rounds_run;
  out.best_rounds = boosted->best_rounds;
  out.best_valid_logloss = boosted->best_value;
  out.best_valid_auc =
      boosted->best_rounds > 0 ? xgb::EvalMetric(boosted->best_eval, "valid-auc") : 0;
  return out;
}

nlohmann::json ToJson(const TrainParams& p) {
  nlohmann::json monotone = nlohmann::json::object();
  if (p.monotone) {
    for (std::size_t f = 0; f < fraud::kFeatureCount; ++f) {
      if (MonotoneDirections()[f] != 0) {
        monotone[std::string(fraud::FeatureNames()[f])] = MonotoneDirections()[f];
      }
    }
  }
  nlohmann::json j = xgb::HistParamsJson(kObjective, p);
  j["early_stopping_metric"] = "valid logloss";
  j["monotone_constraints"] = monotone;
  return j;
}

absl::StatusOr<std::array<double, fraud::kFeatureCount>> TotalGain(const std::string& model_path) {
  absl::StatusOr<std::vector<double>> gain = xgb::TotalGain(model_path, fraud::kFeatureCount);
  if (!gain.ok()) return gain.status();
  std::array<double, fraud::kFeatureCount> out{};
  std::copy(gain->begin(), gain->end(), out.begin());
  return out;
}

}  // namespace candor::fraud_train
