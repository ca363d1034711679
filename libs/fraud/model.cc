#include "libs/fraud/model.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace candor::fraud {
namespace {

// The rows handed to XGBoost are the FeatureVectors themselves, one after another.
static_assert(sizeof(FeatureVector) == kFeatureCount * sizeof(float));

// The objective the trainer fits: its predictions are probabilities and its margins log-odds,
// which the routing thresholds and the contributions (log-odds) assume.
constexpr char kObjective[] = "binary:logistic";

// XGBoost's prediction types (XGBoosterPredictFromDMatrix's "type"). The reasons are the
// approximate contributions (XGBoost's approx_contribs: along the row's path through each tree,
// every split's change of the expected value is credited to its feature). Like exact TreeSHAP
// (type 2) they add up, with the bias, to the margin; TreeSHAP costs about 15 times as much (180
// us per review with the committed model against 12, bench/micro), more than the scorer's whole
// budget per review.
constexpr int kPredictValue = 0;
constexpr int kPredictContributions = 3;

// XGBoost's message for the call that just failed on this thread: its first line (a debug build
// of XGBoost appends a stack trace), without the trailing space and colon.
std::string LastXgbError() {
  const char* e = XGBGetLastError();
  absl::string_view first = e != nullptr ? absl::string_view(e) : absl::string_view();
  first = first.substr(0, first.find('\n'));
  std::string text(absl::StripTrailingAsciiWhitespace(first));
  if (!text.empty() && text.back() == ':') text.pop_back();
  return text.empty() ? std::string("no message") : text;
}

absl::Status Refuse(const std::string& file, absl::string_view problem) {
  return absl::FailedPreconditionError(absl::StrCat("fraud model ", file, ": ", problem));
}

// The whole file, or nullopt when it cannot be opened or read.
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

// The metadata file, validated (README.md, "The model and its metadata").
absl::StatusOr<ModelMetadata> ParseMetadata(const std::string& path, std::string text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Refuse(path, "is not valid JSON");
  if (!j.is_object()) return Refuse(path, "is not a JSON object");
  ModelMetadata m;
  auto version = j.find("version");
  if (version == j.end() || !version->is_string() || version->get<std::string>().empty()) {
    return Refuse(path, "\"version\" is missing or not a non-empty string");
  }
  m.version = version->get<std::string>();

  auto names = j.find("feature_names");
  if (names == j.end() || !names->is_array()) {
    return Refuse(path, "\"feature_names\" is missing or not an array");
  }
  for (const nlohmann::json& n : *names) {
    if (!n.is_string()) return Refuse(path, "\"feature_names\" holds a value that is not a string");
    m.feature_names.push_back(n.get<std::string>());
  }
  const auto& expected = FeatureNames();
  for (std::size_t i = 0; i < std::max(expected.size(), m.feature_names.size()); ++i) {
    const std::string want = i < expected.size() ? std::string(expected[i]) : "(none)";
    const std::string got = i < m.feature_names.size() ? m.feature_names[i] : "(none)";
    if (want != got) {
      return Refuse(
          path, absl::StrCat("feature_names differ from this build's features at "
                             "position ",
                             i, ": the model has \"", got, "\", this build \"", want, "\" (",
                             m.feature_names.size(), " against ", expected.size(), " features)"));
    }
  }

  auto thresholds = j.find("thresholds");
  if (thresholds == j.end() || !thresholds->is_object()) {
    return Refuse(path, "\"thresholds\" is missing or not an object");
  }
  auto queue = thresholds->find("queue");
  auto reject = thresholds->find("reject");
  if (queue == thresholds->end() || !queue->is_number() || reject == thresholds->end() ||
      !reject->is_number()) {
    return Refuse(path, "\"thresholds\" needs numbers \"queue\" and \"reject\"");
  }
  m.queue_threshold = queue->get<double>();
  m.reject_threshold = reject->get<double>();
  if (!(0 <= m.queue_threshold && m.queue_threshold <= m.reject_threshold &&
        m.reject_threshold <= 1)) {
    return Refuse(path, absl::StrCat("thresholds must satisfy 0 <= queue <= reject <= 1, not ",
                                     m.queue_threshold, " and ", m.reject_threshold));
  }
  m.metadata_json = std::move(text);
  return m;
}

// The learner's objective, from the booster's JSON configuration.
absl::StatusOr<std::string> Objective(BoosterHandle booster) {
  bst_ulong len = 0;
  const char* config = nullptr;
  if (XGBoosterSaveJsonConfig(booster, &len, &config) != 0) {
    return absl::InternalError(LastXgbError());
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

// Owns a booster handle.
struct BoosterDeleter {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using Booster = std::unique_ptr<void, BoosterDeleter>;

struct DMatrixDeleter {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
using DMatrix = std::unique_ptr<void, DMatrixDeleter>;

class XgbFraudModel final : public FraudModel {
 public:
  XgbFraudModel(Booster booster, ModelMetadata metadata)
      : booster_(std::move(booster)), metadata_(std::move(metadata)) {}

  const ModelMetadata& metadata() const override { return metadata_; }

  absl::StatusOr<std::vector<Prediction>> PredictBatch(const std::vector<FeatureVector>& rows,
                                                       int top_reasons) override {
    std::vector<Prediction> out(rows.size());
    if (rows.empty()) return out;
    DMatrixHandle raw = nullptr;
    // One thread: the service owns its threads (and nthread=1 on the booster says the same).
    if (XGDMatrixCreateFromMat_omp(rows.front().data(), rows.size(), kFeatureCount,
                                   std::numeric_limits<float>::quiet_NaN(), &raw,
                                   /*nthread=*/1) != 0) {
      return absl::InternalError(absl::StrCat("XGBoost DMatrix: ", LastXgbError()));
    }
    const DMatrix matrix(raw);

    absl::StatusOr<const float*> scores = Predict(matrix.get(), kPredictValue, rows.size(), 1);
    if (!scores.ok()) return scores.status();
    for (std::size_t i = 0; i < rows.size(); ++i) out[i].score = (*scores)[i];
    if (top_reasons <= 0) return out;

    // One column per feature, then the bias (the base margin), which is no reason.
    constexpr std::size_t kColumns = kFeatureCount + 1;
    absl::StatusOr<const float*> contributions =
        Predict(matrix.get(), kPredictContributions, rows.size(), kColumns);
    if (!contributions.ok()) return contributions.status();
    const auto keep = static_cast<std::size_t>(top_reasons);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const float* c = *contributions + i * kColumns;
      std::vector<Contribution>& reasons = out[i].reasons;
      for (std::size_t f = 0; f < kFeatureCount; ++f) {
        if (c[f] > 0) reasons.push_back({static_cast<Feature>(f), rows[i][f], c[f]});
      }
      // Ties by feature order, so the reasons of equal rows are equal.
      auto larger = [](const Contribution& a, const Contribution& b) {
        return a.weight != b.weight ? a.weight > b.weight : a.feature < b.feature;
      };
      if (reasons.size() > keep) {
        std::partial_sort(reasons.begin(), reasons.begin() + static_cast<std::ptrdiff_t>(keep),
                          reasons.end(), larger);
        reasons.resize(keep);
      } else {
        std::sort(reasons.begin(), reasons.end(), larger);
      }
    }
    return out;
  }

 private:
  // The booster's output of prediction `type` for `rows` rows: a buffer the booster owns until
  // its next prediction, checked to hold rows x columns values.
  absl::StatusOr<const float*> Predict(DMatrixHandle matrix, int type, std::size_t rows,
                                       std::size_t columns) {
    const std::string config = absl::StrCat(R"({"type": )", type,
                                            R"(, "training": false, "iteration_begin": 0, )"
                                            R"("iteration_end": 0, "strict_shape": false})");
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    if (XGBoosterPredictFromDMatrix(booster_.get(), matrix, config.c_str(), &shape, &dims,
                                    &result) != 0) {
      return absl::InternalError(absl::StrCat("XGBoost predict: ", LastXgbError()));
    }
    bst_ulong total = 1;
    for (bst_ulong d = 0; d < dims; ++d) total *= shape[d];
    if (total != rows * columns) {
      return absl::InternalError(absl::StrCat("XGBoost predict (type ", type, ") returned ", total,
                                              " values for ", rows, " rows of ", columns));
    }
    return result;
  }

  Booster booster_;
  ModelMetadata metadata_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FraudModel>> FraudModel::Load(const std::string& model_path) {
  const std::string meta_path = model_path + ".meta.json";
  // The model file first: without it the metadata beside it means nothing.
  if (!ReadFile(model_path).has_value()) return Refuse(model_path, "cannot be read");
  std::optional<std::string> meta_text = ReadFile(meta_path);
  if (!meta_text.has_value()) return Refuse(meta_path, "cannot be read");
  absl::StatusOr<ModelMetadata> metadata = ParseMetadata(meta_path, *std::move(meta_text));
  if (!metadata.ok()) return metadata.status();

  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(nullptr, 0, &raw) != 0) {
    return Refuse(model_path, absl::StrCat("cannot create a booster: ", LastXgbError()));
  }
  Booster booster(raw);
  if (XGBoosterLoadModel(booster.get(), model_path.c_str()) != 0) {
    return Refuse(model_path, absl::StrCat("is not a loadable XGBoost model: ", LastXgbError()));
  }
  bst_ulong features = 0;
  if (XGBoosterGetNumFeature(booster.get(), &features) != 0) {
    return Refuse(model_path, absl::StrCat("has no feature count: ", LastXgbError()));
  }
  if (features != kFeatureCount) {
    return Refuse(model_path, absl::StrCat("the booster takes ", features,
                                           " features, this build computes ", kFeatureCount));
  }
  absl::StatusOr<std::string> objective = Objective(booster.get());
  if (!objective.ok()) return Refuse(model_path, objective.status().message());
  if (*objective != kObjective) {
    return Refuse(model_path, absl::StrCat("objective is \"", *objective, "\", not \"", kObjective,
                                           "\" (the scores must be probabilities)"));
  }
  // The trainer stamps the version into the model too, so a metadata file beside the wrong
  // model (one file replaced, not the other) is caught.
  const char* stamped = nullptr;
  int found = 0;
  if (XGBoosterGetAttr(booster.get(), kModelVersionAttribute, &stamped, &found) != 0) {
    return Refuse(model_path, absl::StrCat("attributes unreadable: ", LastXgbError()));
  }
  if (found == 0 || metadata->version != stamped) {
    return Refuse(model_path,
                  absl::StrCat("its version attribute \"", found != 0 ? stamped : "(none)",
                               "\" differs from the metadata's \"", metadata->version, "\" (",
                               meta_path, " belongs to another model)"));
  }
  if (XGBoosterSetParam(booster.get(), "nthread", "1") != 0) {
    return Refuse(model_path, absl::StrCat("cannot set nthread: ", LastXgbError()));
  }
  return std::make_unique<XgbFraudModel>(std::move(booster), *std::move(metadata));
}

}  // namespace candor::fraud
