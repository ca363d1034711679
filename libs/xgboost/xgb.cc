#include "libs/xgboost/xgb.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/file.h"
#include "nlohmann/json.hpp"

namespace candor::xgb {

std::string LastError() {
  const char* e = XGBGetLastError();
  absl::string_view first = e != nullptr ? absl::string_view(e) : absl::string_view();
  first = first.substr(0, first.find('\n'));
  std::string text(absl::StripTrailingAsciiWhitespace(first));
  if (!text.empty() && text.back() == ':') text.pop_back();
  return text.empty() ? std::string("no message") : text;
}

absl::Status Error(absl::string_view what) {
  return absl::InternalError(absl::StrCat("XGBoost ", what, ": ", LastError()));
}

void BoosterDeleter::operator()(void* h) const { XGBoosterFree(h); }
void DMatrixDeleter::operator()(void* h) const { XGDMatrixFree(h); }

absl::StatusOr<Booster> CreateBooster(std::span<const DMatrixHandle> cache) {
  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(cache.data(), cache.size(), &raw) != 0) return Error("booster");
  return Booster(raw);
}

absl::StatusOr<DMatrix> DenseMatrix(const float* values, std::size_t rows, std::size_t columns,
                                    int threads) {
  DMatrixHandle raw = nullptr;
  if (XGDMatrixCreateFromMat_omp(values, rows, columns, std::numeric_limits<float>::quiet_NaN(),
                                 &raw, threads) != 0) {
    return Error("DMatrix");
  }
  return DMatrix(raw);
}

absl::Status SetParams(BoosterHandle booster,
                       std::span<const std::pair<std::string, std::string>> params) {
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(booster, key.c_str(), value.c_str()) != 0) {
      return Error(absl::StrCat("parameter ", key));
    }
  }
  return absl::OkStatus();
}

double EvalMetric(absl::string_view eval, absl::string_view name) {
  for (absl::string_view field : absl::StrSplit(eval, '\t')) {
    const std::size_t colon = field.rfind(':');
    if (colon == absl::string_view::npos || field.substr(0, colon) != name) continue;
    double v = NAN;
    if (absl::SimpleAtod(field.substr(colon + 1), &v)) return v;
  }
  return NAN;
}

absl::StatusOr<BoostOutcome> Boost(BoosterHandle booster, DMatrixHandle train, DMatrixHandle valid,
                                   const BoostOptions& options, std::ostream* progress) {
  BoostOutcome out;
  double best = options.maximize ? -std::numeric_limits<double>::infinity()
                                 : std::numeric_limits<double>::infinity();
  DMatrixHandle both[] = {train, valid};
  const char* names[] = {"train", "valid"};
  for (int round = 0; round < options.max_rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster, round, train) != 0) return Error("update");
    const char* eval = nullptr;
    if (XGBoosterEvalOneIter(booster, round, both, names, 2, &eval) != 0) return Error("eval");
    out.rounds_run = round + 1;
    // NaN (the metric absent) never improves.
    const double value = EvalMetric(eval, options.metric);
    if (options.maximize ? value > best : value < best) {
      best = value;
      out.best_rounds = round + 1;
      out.best_value = value;
      out.best_eval = eval;
    }
    if (progress != nullptr && (round % 10 == 0 || round + 1 == options.max_rounds)) {
      *progress << options.label << ": round " << round << "  " << eval << "\n" << std::flush;
    }
    if (round + 1 - out.best_rounds >= options.early_stopping_rounds) {
      if (progress != nullptr) {
        *progress << options.label << ": stopped after round " << round << ": " << options.metric
                  << " last improved at round " << out.best_rounds - 1 << " (" << out.best_value
                  << ")\n";
      }
      break;
    }
  }
  return out;
}

absl::StatusOr<const float*> Predict(BoosterHandle booster, DMatrixHandle matrix, int type,
                                     std::size_t rows, std::size_t columns) {
  const std::string config = absl::StrCat(R"({"type": )", type,
                                          R"(, "training": false, "iteration_begin": 0, )"
                                          R"("iteration_end": 0, "strict_shape": false})");
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(booster, matrix, config.c_str(), &shape, &dims, &result) != 0) {
    return Error("predict");
  }
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dims; ++d) total *= shape[d];
  if (total != rows * columns) {
    return absl::InternalError(absl::StrCat("XGBoost predict (type ", type, ") returned ", total,
                                            " values for ", rows, " rows of ", columns));
  }
  return result;
}

absl::StatusOr<std::string> Objective(BoosterHandle booster) {
  bst_ulong len = 0;
  const char* config = nullptr;
  if (XGBoosterSaveJsonConfig(booster, &len, &config) != 0) {
    return absl::InternalError(LastError());
  }
  const nlohmann::json j =
      nlohmann::json::parse(std::string_view(config, len), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InternalError("its configuration is not valid JSON");
  const nlohmann::json::json_pointer ptr("/learner/objective/name");
  if (!j.contains(ptr) || !j.at(ptr).is_string()) {
    return absl::InternalError("its configuration names no objective");
  }
  return j.at(ptr).get<std::string>();
}

absl::Status SaveModel(BoosterHandle booster, int rounds, const char* version_attribute,
                       const std::string& version, const std::string& path) {
  BoosterHandle sliced_raw = nullptr;
  if (XGBoosterSlice(booster, 0, rounds, 1, &sliced_raw) != 0) return Error("slice");
  const Booster sliced(sliced_raw);
  if (XGBoosterSetAttr(sliced.get(), version_attribute, version.c_str()) != 0) {
    return Error("attribute");
  }
  if (XGBoosterSaveModel(sliced.get(), path.c_str()) != 0) {
    return Error(absl::StrCat("save ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<BoostOutcome> TrainAndSave(
    DMatrixHandle train, DMatrixHandle valid,
    std::span<const std::pair<std::string, std::string>> params, const BoostOptions& options,
    const char* version_attribute, const std::string& version, const std::string& model_path,
    std::ostream* progress) {
  DMatrixHandle both[] = {train, valid};
  absl::StatusOr<Booster> booster = CreateBooster(both);
  if (!booster.ok()) return booster.status();
  if (absl::Status set = SetParams(booster->get(), params); !set.ok()) return set;
  absl::StatusOr<BoostOutcome> boosted = Boost(booster->get(), train, valid, options, progress);
  if (!boosted.ok()) return boosted.status();
  if (absl::Status saved =
          SaveModel(booster->get(), boosted->best_rounds, version_attribute, version, model_path);
      !saved.ok()) {
    return saved;
  }
  return boosted;
}

std::string MetadataPath(const std::string& model_path) { return model_path + ".meta.json"; }

absl::StatusOr<std::vector<std::string>> FeatureNames(const nlohmann::json& metadata,
                                                      std::span<const std::string_view> expected) {
  auto names = metadata.find("feature_names");
  if (names == metadata.end() || !names->is_array()) {
    return absl::InvalidArgumentError("\"feature_names\" is missing or not an array");
  }
  std::vector<std::string> got;
  for (const nlohmann::json& n : *names) {
    if (!n.is_string()) {
      return absl::InvalidArgumentError("\"feature_names\" holds a value that is not a string");
    }
    got.push_back(n.get<std::string>());
  }
  for (std::size_t i = 0; i < std::max(expected.size(), got.size()); ++i) {
    const std::string want = i < expected.size() ? std::string(expected[i]) : "(none)";
    const std::string has = i < got.size() ? got[i] : "(none)";
    if (want != has) {
      return absl::InvalidArgumentError(
          absl::StrCat("feature_names differ from this build's features at position ", i,
                       ": the model has \"", has, "\", this build \"", want, "\" (", got.size(),
                       " against ", expected.size(), " features)"));
    }
  }
  return got;
}

absl::Status Refuse(const ModelCheck& check, const std::string& file, absl::string_view problem) {
  return absl::FailedPreconditionError(absl::StrCat(check.kind, " ", file, ": ", problem));
}

absl::StatusOr<std::string> ReadMetadata(const std::string& model_path, const ModelCheck& check) {
  if (!core::ReadFile(model_path).ok()) return Refuse(check, model_path, "cannot be read");
  const std::string meta_path = MetadataPath(model_path);
  absl::StatusOr<std::string> text = core::ReadFile(meta_path);
  if (!text.ok()) return Refuse(check, meta_path, "cannot be read");
  return text;
}

absl::StatusOr<Booster> LoadModel(const std::string& model_path, const ModelCheck& check,
                                  const std::string& version) {
  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(nullptr, 0, &raw) != 0) {
    return Refuse(check, model_path, absl::StrCat("cannot create a booster: ", LastError()));
  }
  Booster booster(raw);
  if (XGBoosterLoadModel(booster.get(), model_path.c_str()) != 0) {
    return Refuse(check, model_path,
                  absl::StrCat("is not a loadable XGBoost model: ", LastError()));
  }
  bst_ulong features = 0;
  if (XGBoosterGetNumFeature(booster.get(), &features) != 0) {
    return Refuse(check, model_path, absl::StrCat("has no feature count: ", LastError()));
  }
  if (features != check.features) {
    return Refuse(check, model_path,
                  absl::StrCat("the booster takes ", features, " features, this build computes ",
                               check.features));
  }
  absl::StatusOr<std::string> objective = Objective(booster.get());
  if (!objective.ok()) return Refuse(check, model_path, objective.status().message());
  if (check.objective_problem) {
    if (const std::string problem = check.objective_problem(*objective); !problem.empty()) {
      return Refuse(check, model_path, problem);
    }
  }
  const char* stamped = nullptr;
  int found = 0;
  if (XGBoosterGetAttr(booster.get(), check.version_attribute.c_str(), &stamped, &found) != 0) {
    return Refuse(check, model_path, absl::StrCat("attributes unreadable: ", LastError()));
  }
  if (found == 0 || version != stamped) {
    return Refuse(check, model_path,
                  absl::StrCat("its version attribute \"", found != 0 ? stamped : "(none)",
                               "\" differs from the metadata's \"", version, "\" (",
                               MetadataPath(model_path), " belongs to another model)"));
  }
  // One thread per prediction: the caller owns its threads.
  if (XGBoosterSetParam(booster.get(), "nthread", "1") != 0) {
    return Refuse(check, model_path, absl::StrCat("cannot set nthread: ", LastError()));
  }
  return booster;
}

absl::StatusOr<std::vector<double>> TotalGain(const std::string& path, std::size_t features) {
  absl::StatusOr<Booster> booster = CreateBooster();
  if (!booster.ok()) return booster.status();
  if (XGBoosterLoadModel(booster->get(), path.c_str()) != 0) return Error("load");
  bst_ulong n = 0;
  const char** names = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  if (XGBoosterFeatureScore(booster->get(), R"({"importance_type": "total_gain"})", &n, &names,
                            &dims, &shape, &scores) != 0) {
    return Error("feature score");
  }
  std::vector<double> gain(features, 0);
  // Unnamed features come back as "f<index>".
  for (bst_ulong i = 0; i < n; ++i) {
    std::size_t index = 0;
    const absl::string_view name = names[i];
    if (name.size() > 1 && name.front() == 'f' && absl::SimpleAtoi(name.substr(1), &index) &&
        index < features) {
      gain[index] = scores[i];
    }
  }
  return gain;
}

}  // namespace candor::xgb
