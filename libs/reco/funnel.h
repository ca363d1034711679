#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/rank_features.h"
#include "libs/reco/recommender.h"

namespace candor::reco {

// The offline funnel of issue 14: retrieval (the two-tower model, exact over all items) keeps its
// best `candidates` items outside the history (TopCandidates), the ranker re-scores them from
// ComputeFeatures rows, and every other item follows below them in the retrieval's order.
// Score writes that order as scores: the candidates, in the ranker's order (equal ranker scores
// stay equal), all above every other item, which keeps its retrieval score; so the evaluation
// (evaluation.h) ranks the funnel's final list. The retrieval model, source and ranker are
// borrowed and must outlive the funnel.
// Not thread-safe (scratch buffers; the retrieval model's own rules): one instance per thread.
class Funnel : public Recommender {
 public:
  Funnel(Recommender& retrieval, const FeatureSource& source, const LtrRanker& ranker,
         int32_t candidates);

  std::string Name() const override;
  // Fits the retrieval model (for the two-tower model: binds it to the data's items).
  absl::Status Fit(const Sequences& train) override;
  // On a ranker failure the candidates keep their retrieval order and the first error is kept
  // in status(): check it after an evaluation.
  void Score(const Query& query, std::span<float> scores) override;

  // The re-scored candidates of the last Score, best first (item and ranker score).
  struct Ranked {
    int32_t item = 0;
    float score = 0;
  };
  const std::vector<Ranked>& last_ranked() const { return ranked_; }

  const absl::Status& status() const { return status_; }

 private:
  Recommender& retrieval_;
  const FeatureSource& source_;
  const LtrRanker& ranker_;
  int32_t candidates_;
  std::vector<Ranked> ranked_;
  absl::Status status_;
};

}  // namespace candor::reco
