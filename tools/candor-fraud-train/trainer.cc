#include "tools/candor-fraud-train/trainer.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <memory>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/fraud/model.h"

namespace candor::fraud_train {
namespace {

using fraud::Feature;

absl::Status XgbError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("XGBoost ", what, ": ", XGBGetLastError()));
}

struct BoosterDeleter {
  void operator()(void* h) const { XGBoosterFree(h); }
};
struct DMatrixDeleter {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
using Booster = std::unique_ptr<void, BoosterDeleter>;
using Matrix = std::unique_ptr<void, DMatrixDeleter>;

absl::StatusOr<Matrix> ToMatrix(const Dataset& d, int threads) {
  DMatrixHandle h = nullptr;
  if (XGDMatrixCreateFromMat_omp(d.x.front().data(), d.size(), fraud::kFeatureCount, NAN, &h,
                                 threads) != 0) {
    return XgbError("DMatrix");
  }
  Matrix m(h);
  if (XGDMatrixSetFloatInfo(h, "label", d.label.data(), d.size()) != 0 ||
      XGDMatrixSetFloatInfo(h, "weight", d.weight.data(), d.size()) != 0) {
    return XgbError("labels");
  }
  return m;
}

// "valid-logloss" out of "[12]\ttrain-logloss:0.1\tvalid-logloss:0.2\t...".
double Metric(absl::string_view eval, absl::string_view name) {
  for (absl::string_view field : absl::StrSplit(eval, '\t')) {
    const std::size_t colon = field.rfind(':');
    if (colon == absl::string_view::npos || field.substr(0, colon) != name) continue;
    double v = NAN;
    if (absl::SimpleAtod(field.substr(colon + 1), &v)) return v;
  }
  return NAN;
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
  absl::StatusOr<Matrix> dtrain = ToMatrix(train, p.threads);
  if (!dtrain.ok()) return dtrain.status();
  absl::StatusOr<Matrix> dvalid = ToMatrix(valid, p.threads);
  if (!dvalid.ok()) return dvalid.status();
  DMatrixHandle both[] = {dtrain->get(), dvalid->get()};
  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(both, 2, &raw) != 0) return XgbError("booster");
  Booster booster(raw);

  std::vector<std::pair<std::string, std::string>> params = {
      {"objective", "binary:logistic"},
      {"tree_method", "hist"},
      {"max_depth", absl::StrCat(p.max_depth)},
      {"eta", absl::StrCat(p.eta)},
      {"subsample", absl::StrCat(p.subsample)},
      {"colsample_bytree", absl::StrCat(p.colsample_bytree)},
      {"min_child_weight", absl::StrCat(p.min_child_weight)},
      {"lambda", absl::StrCat(p.lambda)},
      {"nthread", absl::StrCat(p.threads)},
      {"seed", absl::StrCat(p.seed)},
      {"eval_metric", "logloss"},
      {"eval_metric", "auc"},
  };
  if (p.monotone) {
    params.emplace_back("monotone_constraints",
                        absl::StrCat("(", absl::StrJoin(MonotoneDirections(), ","), ")"));
  }
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(booster.get(), key.c_str(), value.c_str()) != 0) {
      return XgbError(absl::StrCat("parameter ", key));
    }
  }

  TrainOutcome out;
  double best = INFINITY;
  const char* names[] = {"train", "valid"};
  for (int round = 0; round < p.max_rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster.get(), round, dtrain->get()) != 0) {
      return XgbError("update");
    }
    const char* eval = nullptr;
    if (XGBoosterEvalOneIter(booster.get(), round, both, names, 2, &eval) != 0) {
      return XgbError("eval");
    }
    out.rounds_run = round + 1;
    const double logloss = Metric(eval, "valid-logloss");
    if (logloss < best) {
      best = logloss;
      out.best_rounds = round + 1;
      out.best_valid_logloss = logloss;
      out.best_valid_auc = Metric(eval, "valid-auc");
    }
    if (progress != nullptr && (round % 10 == 0 || round + 1 == p.max_rounds)) {
      *progress << "train: round " << round << "  " << eval << "\n";
    }
    if (round + 1 - out.best_rounds >= p.early_stopping_rounds) {
      if (progress != nullptr) {
        *progress << "train: stopped after round " << round << ": valid logloss last improved "
                  << "at round " << out.best_rounds - 1 << " (" << out.best_valid_logloss << ")\n";
      }
      break;
    }
  }

  BoosterHandle sliced_raw = nullptr;
  if (XGBoosterSlice(booster.get(), 0, out.best_rounds, 1, &sliced_raw) != 0) {
    return XgbError("slice");
  }
  Booster sliced(sliced_raw);
  if (XGBoosterSetAttr(sliced.get(), fraud::kModelVersionAttribute, version.c_str()) != 0) {
    return XgbError("attribute");
  }
  if (XGBoosterSaveModel(sliced.get(), model_path.c_str()) != 0) {
    return XgbError(absl::StrCat("save ", model_path));
  }
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
  return {{"objective", "binary:logistic"},
          {"tree_method", "hist"},
          {"max_depth", p.max_depth},
          {"eta", p.eta},
          {"subsample", p.subsample},
          {"colsample_bytree", p.colsample_bytree},
          {"min_child_weight", p.min_child_weight},
          {"lambda", p.lambda},
          {"max_rounds", p.max_rounds},
          {"early_stopping_rounds", p.early_stopping_rounds},
          {"early_stopping_metric", "valid logloss"},
          {"threads", p.threads},
          {"xgboost_seed", p.seed},
          {"monotone_constraints", monotone}};
}

absl::StatusOr<std::array<double, fraud::kFeatureCount>> TotalGain(const std::string& model_path) {
  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(nullptr, 0, &raw) != 0) return XgbError("booster");
  Booster booster(raw);
  if (XGBoosterLoadModel(booster.get(), model_path.c_str()) != 0) return XgbError("load");
  bst_ulong n = 0;
  const char** names = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  if (XGBoosterFeatureScore(booster.get(), R"({"importance_type": "total_gain"})", &n, &names,
                            &dims, &shape, &scores) != 0) {
    return XgbError("feature score");
  }
  std::array<double, fraud::kFeatureCount> gain{};
  // Unnamed features come back as "f<index>".
  for (bst_ulong i = 0; i < n; ++i) {
    std::size_t index = 0;
    const absl::string_view name = names[i];
    if (name.size() > 1 && name.front() == 'f' && absl::SimpleAtoi(name.substr(1), &index) &&
        index < fraud::kFeatureCount) {
      gain[index] = scores[i];
    }
  }
  return gain;
}

}  // namespace candor::fraud_train
