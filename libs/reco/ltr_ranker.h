#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/rank_features.h"

namespace candor::reco {

// What a ranker file says about itself: the metadata file candor-reco-rank-train writes beside
// the booster (`<model>.meta.json`, README.md "Ranker").
struct RankerMetadata {
  std::string version;                     // "reco-ltr-<seed>-<checksum>", stamped in the booster
  std::string features_version;            // must equal kRankFeaturesVersion
  std::vector<std::string> feature_names;  // input order; must equal RankFeatureNames()
  int32_t candidates = 0;                  // the retrieval depth it was trained on
  int64_t recent_window_seconds = 0;       // the FeatureSource window its features used
  // Features the model was trained without: Score sets them to missing (kMissingFeature) before
  // predicting, so callers always pass full rows (an ablation needs no other feature code).
  std::vector<std::string> masked_features;
  std::string metadata_json;  // the whole file, verbatim
};

// The XGBoost attribute in which the trainer stamps RankerMetadata::version into the booster, so
// metadata beside another booster is refused.
inline constexpr char kRankerVersionAttribute[] = "candor_ranker_version";
// The first member of the metadata object ("format").
inline constexpr char kRankerFormat[] = "candor-reco-ranker 1";

// The learning-to-rank model (XGBoost rank:ndcg / rank:pairwise through the C API of
// libxgboost-dev 1.7): scores a query's candidate rows, higher is better. Only the order of the
// scores within one query means anything.
// Thread safety: Score may be called from any thread; the calls are serialised by a mutex
// (XGBoost's booster is not documented safe for concurrent predictions), so a server with many
// request threads wants one ranker per thread or a short critical section (one call per query).
class LtrRanker {
 public:
  // Loads `model_path` (an XGBoost model) and `<model_path>.meta.json`. Errors, all
  // FailedPrecondition naming the file: a missing or unreadable file; metadata that is not the
  // format above or whose feature list or features version differs from this build's; a booster
  // that does not load, takes another number of features, has an objective other than rank:*,
  // or whose version attribute is not the metadata's.
  static absl::StatusOr<std::unique_ptr<LtrRanker>> Load(const std::string& model_path);

  LtrRanker(const LtrRanker&) = delete;
  LtrRanker& operator=(const LtrRanker&) = delete;
  ~LtrRanker();

  const RankerMetadata& metadata() const { return metadata_; }

  // One score per row (masked features ignored). Empty rows give an empty vector. Internal with
  // XGBoost's message on a failure of the library.
  absl::StatusOr<std::vector<float>> Score(std::span<const RankFeatureVector> rows) const;

  // The same for rows given as `width` floats each, row-major (a caller holding plain arrays,
  // e.g. features read back from a store). InvalidArgument when `width` is not
  // kRankFeatureCount or `values` is not a whole number of rows.
  absl::StatusOr<std::vector<float>> Score(std::span<const float> values, std::size_t width) const;

 private:
  struct State;
  LtrRanker(std::unique_ptr<State> state, RankerMetadata metadata);

  std::unique_ptr<State> state_;
  RankerMetadata metadata_;
  std::vector<RankFeature> masked_;
};

}  // namespace candor::reco
