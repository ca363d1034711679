#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/rank_features.h"
#include "libs/reco/recommender.h"
#include "libs/reco/split.h"
#include "nlohmann/json.hpp"

namespace candor::reco {

// Query groups for learning to rank: rows of one query are contiguous, `group_sizes` gives their
// counts in order. Label 1 = the held-out item, 0 = another candidate.
struct RankDataset {
  std::vector<RankFeatureVector> rows;
  std::vector<float> labels;
  std::vector<uint32_t> group_sizes;
  std::vector<int32_t> users;  // the user of each group
  std::size_t size() const { return rows.size(); }
  std::size_t groups() const { return group_sizes.size(); }
};

// What BuildRankDataset saw.
struct RankDatasetStats {
  int64_t queries = 0;        // users asked
  int64_t with_positive = 0;  // their held-out item among the candidates: kept as groups
  double seconds = 0;
};

// The ranker's examples (README.md, "Ranker", the protocol): for each of `users`, the retrieval
// model scores every item for History(user, holdout) at the held-out item's time, TopCandidates
// keeps the best `candidates`, and ComputeFeatures gives their rows; the label is 1 for
// Target(user, holdout), 0 otherwise. Users whose held-out item is not among the candidates
// teach the ranker nothing and are left out (counted in `stats`). The trainer passes
// Holdout::kValidation: no test item is read. `retrieval` must be fitted; `progress` (may be
// empty) is called after each tenth of the users.
RankDataset BuildRankDataset(Recommender& retrieval, const FeatureSource& source,
                             const LeaveOneOutSplit& split, Holdout holdout,
                             std::span<const int32_t> users, int32_t candidates,
                             RankDatasetStats* stats,
                             const std::function<void(int64_t done, int64_t total)>& progress);

// XGBoost's training parameters for the ranker (README.md, "Ranker").
struct RankTrainParams {
  std::string objective = "rank:ndcg";  // or rank:pairwise, rank:map
  int max_depth = 6;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 1;
  double lambda = 1;
  int max_rounds = 500;
  int early_stopping_rounds = 40;
  int eval_at = 10;  // early stopping on the held-out groups' NDCG@eval_at
  int threads = 2;
  uint64_t seed = 1;
};

struct RankTrainOutcome {
  int rounds_run = 0;
  int best_rounds = 0;  // trees kept (the best round + 1)
  double best_valid_ndcg = 0;
  double seconds = 0;
};

// Trains `params.objective` with the hist tree method through the C API on `train`, evaluating
// NDCG@eval_at on `valid` after every round and stopping when it has not improved for
// early_stopping_rounds; keeps the best round's trees, stamps `version` into the booster
// (kRankerVersionAttribute) and saves it as JSON to `model_path`. Progress every ten rounds to
// `progress` when not null. Errors: InvalidArgument for an empty set or bad parameters,
// Internal with XGBoost's message.
absl::StatusOr<RankTrainOutcome> TrainRanker(const RankDataset& train, const RankDataset& valid,
                                             const RankTrainParams& params,
                                             const std::string& version,
                                             const std::string& model_path, std::ostream* progress);

// The parameters as the metadata records them.
nlohmann::json ToJson(const RankTrainParams& p);

// Writes `<model_path>.meta.json`: `extra` plus format, this build's features_version and
// feature_names, and `m`'s version, candidates, recent_window_seconds and masked_features (what
// LtrRanker::Load checks). Internal when it cannot be written.
absl::Status WriteRankerMetadata(const std::string& model_path, const RankerMetadata& m,
                                 const nlohmann::json& extra);

// Sets `masked` features of every row to kMissingFeature (what LtrRanker::Score does with a
// model's masked_features), for training an ablation.
void MaskFeatures(std::span<const RankFeature> masked, std::vector<RankFeatureVector>& rows);

// Each feature's total gain over the saved model's splits, in RankFeature order.
absl::StatusOr<std::vector<double>> RankerTotalGain(const std::string& model_path);

}  // namespace candor::reco
