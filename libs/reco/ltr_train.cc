#include "libs/reco/ltr_train.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/xgboost/xgb.h"

namespace candor::reco {
namespace {

absl::StatusOr<xgb::DMatrix> ToMatrix(const RankDataset& d, int threads) {
  absl::StatusOr<xgb::DMatrix> m =
      xgb::DenseMatrix(d.rows.front().data(), d.size(), kRankFeatureCount, threads);
  if (!m.ok()) return m.status();
  if (XGDMatrixSetFloatInfo(m->get(), "label", d.labels.data(), d.size()) != 0) {
    return xgb::Error("labels");
  }
  if (XGDMatrixSetUIntInfo(m->get(), "group", d.group_sizes.data(), d.group_sizes.size()) != 0) {
    return xgb::Error("groups");
  }
  return m;
}

absl::Status CheckDataset(const RankDataset& d, const char* which) {
  if (d.size() == 0 || d.groups() == 0) {
    return absl::InvalidArgumentError(absl::StrCat("ranker: the ", which, " set is empty"));
  }
  std::size_t rows = 0;
  for (const uint32_t g : d.group_sizes) rows += g;
  if (rows != d.size() || d.labels.size() != d.size()) {
    return absl::InvalidArgumentError(absl::StrCat("ranker: the ", which, " set's ", d.size(),
                                                   " rows, ", d.labels.size(), " labels and ", rows,
                                                   " grouped rows disagree"));
  }
  return absl::OkStatus();
}

}  // namespace

RankDataset BuildRankDataset(Recommender& retrieval, const FeatureSource& source,
                             const LeaveOneOutSplit& split, Holdout holdout,
                             std::span<const int32_t> users, int32_t candidates,
                             RankDatasetStats* stats,
                             const std::function<void(int64_t done, int64_t total)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  RankDataset d;
  RankDatasetStats local;
  std::vector<float> scores(static_cast<std::size_t>(split.train.num_items()));
  const auto total = static_cast<int64_t>(users.size());
  const int64_t step = std::max<int64_t>(1, (total + 9) / 10);
  for (int64_t n = 0; n < total; ++n) {
    const int32_t user = users[static_cast<std::size_t>(n)];
    const std::span<const Event> history = split.History(user, holdout);
    const Event& target = split.Target(user, holdout);
    ++local.queries;
    retrieval.Score(Query{user, history, target.unix_time}, scores);
    const std::vector<Candidate> found = TopCandidates(scores, history, candidates);
    const bool positive = std::any_of(found.begin(), found.end(),
                                      [&](const Candidate& c) { return c.item == target.item; });
    if (positive) {
      ++local.with_positive;
      std::vector<RankFeatureVector> rows =
          ComputeFeatureRows(source, history, found, target.unix_time);
      for (std::size_t k = 0; k < found.size(); ++k) {
        d.rows.push_back(rows[k]);
        d.labels.push_back(found[k].item == target.item ? 1.0F : 0.0F);
      }
      d.group_sizes.push_back(static_cast<uint32_t>(found.size()));
      d.users.push_back(user);
    }
    if (progress && ((n + 1) % step == 0 || n + 1 == total)) progress(n + 1, total);
  }
  local.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stats != nullptr) *stats = local;
  return d;
}

absl::StatusOr<RankTrainOutcome> TrainRanker(const RankDataset& train, const RankDataset& valid,
                                             const RankTrainParams& p, const std::string& version,
                                             const std::string& model_path,
                                             std::ostream* progress) {
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status s = CheckDataset(train, "training"); !s.ok()) return s;
  if (absl::Status s = CheckDataset(valid, "validation"); !s.ok()) return s;
  if (p.objective.rfind("rank:", 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranker: objective \"", p.objective, "\" is not a rank:* objective"));
  }
  if (p.max_rounds < 1 || p.early_stopping_rounds < 1 || p.eval_at < 1) {
    return absl::InvalidArgumentError(
        "ranker: max_rounds, early_stopping_rounds and eval_at must be positive");
  }
  absl::StatusOr<xgb::DMatrix> dtrain = ToMatrix(train, p.threads);
  if (!dtrain.ok()) return dtrain.status();
  absl::StatusOr<xgb::DMatrix> dvalid = ToMatrix(valid, p.threads);
  if (!dvalid.ok()) return dvalid.status();

  const std::string metric = absl::StrCat("ndcg@", p.eval_at);
  std::vector<std::pair<std::string, std::string>> params = xgb::HistParams(p.objective, p);
  params.emplace_back("eval_metric", metric);
  const xgb::BoostOptions boost{.max_rounds = p.max_rounds,
                                .early_stopping_rounds = p.early_stopping_rounds,
                                .metric = absl::StrCat("valid-", metric),
                                .maximize = true,
                                .label = "rank-train"};
  absl::StatusOr<xgb::BoostOutcome> boosted =
      xgb::TrainAndSave(dtrain->get(), dvalid->get(), params, boost, kRankerVersionAttribute,
                        version, model_path, progress);
  if (!boosted.ok()) return boosted.status();
  RankTrainOutcome out;
  out.rounds_run = boosted->rounds_run;
  out.best_rounds = boosted->best_rounds;
  out.best_valid_ndcg = boosted->best_value;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

nlohmann::json ToJson(const RankTrainParams& p) {
  nlohmann::json j = xgb::HistParamsJson(p.objective, p);
  j["early_stopping_metric"] = absl::StrCat("valid ndcg@", p.eval_at);
  return j;
}

void MaskFeatures(std::span<const RankFeature> masked, std::vector<RankFeatureVector>& rows) {
  for (RankFeatureVector& row : rows) {
    for (const RankFeature f : masked) row[static_cast<std::size_t>(f)] = kMissingFeature;
  }
}

absl::Status WriteRankerMetadata(const std::string& model_path, const RankerMetadata& m,
                                 const nlohmann::json& extra) {
  nlohmann::json j = extra.is_object() ? extra : nlohmann::json::object();
  j["format"] = kRankerFormat;
  j["version"] = m.version;
  j["features_version"] = kRankFeaturesVersion;
  nlohmann::json names = nlohmann::json::array();
  for (const std::string_view n : RankFeatureNames()) names.push_back(std::string(n));
  j["feature_names"] = names;
  j["candidates"] = m.candidates;
  j["recent_window_seconds"] = m.recent_window_seconds;
  j["masked_features"] = m.masked_features;
  const std::string path = xgb::MetadataPath(model_path);
  std::ofstream file(path);
  file << j.dump(2) << "\n";
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> RankerTotalGain(const std::string& model_path) {
  return xgb::TotalGain(model_path, kRankFeatureCount);
}

}  // namespace candor::reco
