#include "libs/reco/ltr_ranker.h"

#include <xgboost/c_api.h>

#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

static_assert(sizeof(RankFeatureVector) == kRankFeatureCount * sizeof(float));

// XGBoost's message for the call that just failed on this thread: its first line, without the
// trailing colon (as libs/fraud/model.cc).
std::string LastXgbError() {
  const char* e = XGBGetLastError();
  absl::string_view first = e != nullptr ? absl::string_view(e) : absl::string_view();
  first = first.substr(0, first.find('\n'));
  std::string text(absl::StripTrailingAsciiWhitespace(first));
  if (!text.empty() && text.back() == ':') text.pop_back();
  return text.empty() ? std::string("no message") : text;
}

absl::Status Refuse(const std::string& file, absl::string_view problem) {
  return absl::FailedPreconditionError(absl::StrCat("ranker ", file, ": ", problem));
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
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
  auto names = j.find("feature_names");
  if (names == j.end() || !names->is_array()) {
    return Refuse(path, "\"feature_names\" is missing or not an array");
  }
  for (const nlohmann::json& n : *names) {
    if (!n.is_string()) return Refuse(path, "\"feature_names\" holds a value that is not a string");
    m.feature_names.push_back(n.get<std::string>());
  }
  const auto& expected = RankFeatureNames();
  for (std::size_t i = 0; i < std::max(expected.size(), m.feature_names.size()); ++i) {
    const std::string want = i < expected.size() ? std::string(expected[i]) : "(none)";
    const std::string got = i < m.feature_names.size() ? m.feature_names[i] : "(none)";
    if (want != got) {
      return Refuse(
          path, absl::StrCat("feature_names differ from this build's at position ", i,
                             ": the model has \"", got, "\", this build \"", want, "\" (",
                             m.feature_names.size(), " against ", expected.size(), " features)"));
    }
  }
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

absl::StatusOr<std::string> Objective(BoosterHandle booster) {
  bst_ulong len = 0;
  const char* config = nullptr;
  if (XGBoosterSaveJsonConfig(booster, &len, &config) != 0) {
    return absl::InternalError(LastXgbError());
  }
  const nlohmann::json j =
      nlohmann::json::parse(std::string_view(config, len), nullptr, /*allow_exceptions=*/false);
  const nlohmann::json::json_pointer ptr("/learner/objective/name");
  if (j.is_discarded() || !j.contains(ptr) || !j.at(ptr).is_string()) {
    return absl::InternalError("its configuration names no objective");
  }
  return j.at(ptr).get<std::string>();
}

struct BoosterDeleter {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using Booster = std::unique_ptr<void, BoosterDeleter>;
struct DMatrixDeleter {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
using DMatrix = std::unique_ptr<void, DMatrixDeleter>;

}  // namespace

struct LtrRanker::State {
  Booster booster;
  std::mutex mu;  // XGBoost's predictions share the booster's buffers
};

LtrRanker::LtrRanker(std::unique_ptr<State> state, RankerMetadata metadata)
    : state_(std::move(state)), metadata_(std::move(metadata)) {
  // Checked by ParseMetadata.
  masked_ = *FindRankFeatures(metadata_.masked_features);
}

LtrRanker::~LtrRanker() = default;

absl::StatusOr<std::unique_ptr<LtrRanker>> LtrRanker::Load(const std::string& model_path) {
  const std::string meta_path = model_path + ".meta.json";
  if (!ReadFile(model_path).has_value()) return Refuse(model_path, "cannot be read");
  std::optional<std::string> meta_text = ReadFile(meta_path);
  if (!meta_text.has_value()) return Refuse(meta_path, "cannot be read");
  absl::StatusOr<RankerMetadata> metadata = ParseMetadata(meta_path, *std::move(meta_text));
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
  if (features != kRankFeatureCount) {
    return Refuse(model_path, absl::StrCat("the booster takes ", features,
                                           " features, this build computes ", kRankFeatureCount));
  }
  absl::StatusOr<std::string> objective = Objective(booster.get());
  if (!objective.ok()) return Refuse(model_path, objective.status().message());
  if (!absl::StartsWith(*objective, "rank:")) {
    return Refuse(model_path,
                  absl::StrCat("objective is \"", *objective, "\", not a rank:* objective"));
  }
  const char* stamped = nullptr;
  int found = 0;
  if (XGBoosterGetAttr(booster.get(), kRankerVersionAttribute, &stamped, &found) != 0) {
    return Refuse(model_path, absl::StrCat("attributes unreadable: ", LastXgbError()));
  }
  if (found == 0 || metadata->version != stamped) {
    return Refuse(model_path,
                  absl::StrCat("its version attribute \"", found != 0 ? stamped : "(none)",
                               "\" differs from the metadata's \"", metadata->version, "\" (",
                               meta_path, " belongs to another model)"));
  }
  // One thread per prediction: the caller owns its threads.
  if (XGBoosterSetParam(booster.get(), "nthread", "1") != 0) {
    return Refuse(model_path, absl::StrCat("cannot set nthread: ", LastXgbError()));
  }
  auto state = std::make_unique<State>();
  state->booster = std::move(booster);
  return std::unique_ptr<LtrRanker>(new LtrRanker(std::move(state), *std::move(metadata)));
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
  DMatrixHandle raw = nullptr;
  if (XGDMatrixCreateFromMat_omp(values.data(), rows, width,
                                 std::numeric_limits<float>::quiet_NaN(), &raw,
                                 /*nthread=*/1) != 0) {
    return absl::InternalError(absl::StrCat("XGBoost DMatrix: ", LastXgbError()));
  }
  const DMatrix matrix(raw);
  static constexpr char kConfig[] =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false})";
  const std::lock_guard<std::mutex> lock(state_->mu);
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(state_->booster.get(), matrix.get(), kConfig, &shape, &dims,
                                  &result) != 0) {
    return absl::InternalError(absl::StrCat("XGBoost predict: ", LastXgbError()));
  }
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dims; ++d) total *= shape[d];
  if (total != rows) {
    return absl::InternalError(
        absl::StrCat("XGBoost predict returned ", total, " values for ", rows, " rows"));
  }
  out.assign(result, result + rows);
  return out;
}

}  // namespace candor::reco
