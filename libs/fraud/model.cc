#include "libs/fraud/model.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/xgboost/xgb.h"
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

// Every load error names the model's file: FailedPrecondition "fraud model <file>: <problem>".
xgb::ModelCheck Check() {
  return {.kind = "fraud model",
          .features = kFeatureCount,
          .version_attribute = kModelVersionAttribute,
          .objective_problem = [](const std::string& objective) {
            return objective == kObjective
                       ? std::string()
                       : absl::StrCat("objective is \"", objective, "\", not \"", kObjective,
                                      "\" (the scores must be probabilities)");
          }};
}

absl::Status Refuse(const std::string& file, absl::string_view problem) {
  return xgb::Refuse(Check(), file, problem);
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

  absl::StatusOr<std::vector<std::string>> names = xgb::FeatureNames(j, FeatureNames());
  if (!names.ok()) return Refuse(path, names.status().message());
  m.feature_names = *std::move(names);

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

class XgbFraudModel final : public FraudModel {
 public:
  XgbFraudModel(xgb::Booster booster, ModelMetadata metadata)
      : booster_(std::move(booster)), metadata_(std::move(metadata)) {}

  const ModelMetadata& metadata() const override { return metadata_; }

  absl::StatusOr<std::vector<Prediction>> PredictBatch(const std::vector<FeatureVector>& rows,
                                                       int top_reasons) override {
    std::vector<Prediction> out(rows.size());
    if (rows.empty()) return out;
    // One thread: the service owns its threads (and nthread=1 on the booster says the same).
    absl::StatusOr<xgb::DMatrix> matrix =
        xgb::DenseMatrix(rows.front().data(), rows.size(), kFeatureCount, /*threads=*/1);
    if (!matrix.ok()) return matrix.status();

    absl::StatusOr<const float*> scores =
        xgb::Predict(booster_.get(), matrix->get(), kPredictValue, rows.size(), 1);
    if (!scores.ok()) return scores.status();
    for (std::size_t i = 0; i < rows.size(); ++i) out[i].score = (*scores)[i];
    if (top_reasons <= 0) return out;

    // One column per feature, then the bias (the base margin), which is no reason.
    constexpr std::size_t kColumns = kFeatureCount + 1;
    absl::StatusOr<const float*> contributions =
        xgb::Predict(booster_.get(), matrix->get(), kPredictContributions, rows.size(), kColumns);
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
  xgb::Booster booster_;
  ModelMetadata metadata_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FraudModel>> FraudModel::Load(const std::string& model_path) {
  absl::StatusOr<xgb::ModelWithMetadata<ModelMetadata>> model =
      xgb::LoadModelWithMetadata<ModelMetadata>(model_path, Check(), ParseMetadata);
  if (!model.ok()) return model.status();
  return std::make_unique<XgbFraudModel>(std::move(model->booster), std::move(model->metadata));
}

}  // namespace candor::fraud
