#include "libs/reco/ltr_ranker.h"

#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/xgboost/xgb.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

static_assert(sizeof(RankFeatureVector) == kRankFeatureCount * sizeof(float));

// Every load error names the ranker's file: FailedPrecondition "ranker <file>: <problem>".
xgb::ModelCheck Check() {
  return {.kind = "ranker",
          .features = kRankFeatureCount,
          .version_attribute = kRankerVersionAttribute,
          .objective_problem = [](const std::string& objective) {
            return absl::StartsWith(objective, "rank:")
                       ? std::string()
                       : absl::StrCat("objective is \"", objective, "\", not a rank:* objective");
          }};
}

absl::Status Refuse(const std::string& file, absl::string_view problem) {
  return xgb::Refuse(Check(), file, problem);
}

absl::StatusOr<RankerMetadata> ParseMetadata(const std::string& path, std::string text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Refuse(path, "is not valid JSON");
  if (!j.is_object()) return Refuse(path, "is not a JSON object");
  auto string_member = [&](const char* name) -> std::optional<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
    return it->get<std::string>();
  };
  const std::optional<std::string> format = string_member("format");
  if (format != kRankerFormat) {
    return Refuse(path, absl::StrCat("\"format\" is not \"", kRankerFormat, "\""));
  }
  RankerMetadata m;
  const std::optional<std::string> version = string_member("version");
  if (!version) return Refuse(path, "\"version\" is missing or not a non-empty string");
  m.version = *version;
  const std::optional<std::string> features_version = string_member("features_version");
  if (features_version != kRankFeaturesVersion) {
    return Refuse(path, absl::StrCat("features_version is \"", features_version.value_or("(none)"),
                                     "\", this build computes \"", kRankFeaturesVersion, "\""));
  }
  m.features_version = *features_version;
  absl::StatusOr<std::vector<std::string>> names = xgb::FeatureNames(j, RankFeatureNames());
  if (!names.ok()) return Refuse(path, names.status().message());
  m.feature_names = *std::move(names);
  auto candidates = j.find("candidates");
  if (candidates == j.end() || !candidates->is_number_integer() || candidates->get<int64_t>() < 1) {
    return Refuse(path, "\"candidates\" is missing or not a positive integer");
  }
  m.candidates = candidates->get<int32_t>();
  auto window = j.find("recent_window_seconds");
  if (window == j.end() || !window->is_number_integer() || window->get<int64_t>() < 1) {
    return Refuse(path, "\"recent_window_seconds\" is missing or not a positive integer");
  }
  m.recent_window_seconds = window->get<int64_t>();
  auto masked = j.find("masked_features");
  if (masked != j.end()) {
    if (!masked->is_array()) return Refuse(path, "\"masked_features\" is not an array");
    for (const nlohmann::json& n : *masked) {
      if (!n.is_string())
        return Refuse(path, "\"masked_features\" holds a value that is not a string");
      m.masked_features.push_back(n.get<std::string>());
    }
    if (absl::StatusOr<std::vector<RankFeature>> f = FindRankFeatures(m.masked_features); !f.ok()) {
      return Refuse(path, absl::StrCat("masked_features: ", f.status().message()));
    }
  }
  m.metadata_json = std::move(text);
  return m;
}

}  // namespace

struct LtrRanker::State {
  xgb::Booster booster;
  std::mutex mu;  // XGBoost's predictions share the booster's buffers
};

LtrRanker::LtrRanker(std::unique_ptr<State> state, RankerMetadata metadata)
    : state_(std::move(state)), metadata_(std::move(metadata)) {
  // Checked by ParseMetadata.
  masked_ = *FindRankFeatures(metadata_.masked_features);
}

LtrRanker::~LtrRanker() = default;

absl::StatusOr<std::unique_ptr<LtrRanker>> LtrRanker::Load(const std::string& model_path) {
  absl::StatusOr<xgb::ModelWithMetadata<RankerMetadata>> model =
      xgb::LoadModelWithMetadata<RankerMetadata>(model_path, Check(), ParseMetadata);
  if (!model.ok()) return model.status();
  auto state = std::make_unique<State>();
  state->booster = std::move(model->booster);
  return std::unique_ptr<LtrRanker>(new LtrRanker(std::move(state), std::move(model->metadata)));
}

absl::StatusOr<std::vector<float>> LtrRanker::Score(std::span<const RankFeatureVector> rows) const {
  return Score(std::span<const float>(rows.empty() ? nullptr : rows.front().data(),
                                      rows.size() * kRankFeatureCount),
               kRankFeatureCount);
}

absl::StatusOr<std::vector<float>> LtrRanker::Score(std::span<const float> values,
                                                    std::size_t width) const {
  if (width != kRankFeatureCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranker: rows of ", width, " features, the model takes ", kRankFeatureCount));
  }
  if (values.size() % width != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranker: ", values.size(), " values are not whole rows of ", width));
  }
  const std::size_t rows = values.size() / width;
  std::vector<float> out(rows);
  if (rows == 0) return out;
  std::vector<float> masked;
  if (!masked_.empty()) {
    masked.assign(values.begin(), values.end());
    for (std::size_t r = 0; r < rows; ++r) {
      for (const RankFeature f : masked_) {
        masked[r * width + static_cast<std::size_t>(f)] = kMissingFeature;
      }
    }
    values = masked;
  }
  absl::StatusOr<xgb::DMatrix> matrix = xgb::DenseMatrix(values.data(), rows, width, /*threads=*/1);
  if (!matrix.ok()) return matrix.status();
  const std::lock_guard<std::mutex> lock(state_->mu);
  absl::StatusOr<const float*> result =
      xgb::Predict(state_->booster.get(), matrix->get(), /*type=*/0, rows, 1);
  if (!result.ok()) return result.status();
  out.assign(*result, *result + rows);
  return out;
}

}  // namespace candor::reco
