#include "libs/reco/tuning.h"

namespace candor::reco {

std::vector<KnnTrial> TuneItemKnn(ItemKnn& knn, const LeaveOneOutSplit& split, const KnnGrid& grid,
                                  const std::function<void(const KnnTrial&)>& on_trial) {
  std::vector<KnnTrial> trials;
  const KnnTrial* best = nullptr;
  EvalOptions options;
  options.cutoffs = {10, 20};
  for (const int k : grid.neighbours) {
    for (const double decay : grid.decays) {
      knn.SetScoring(k, decay);
      trials.push_back(KnnTrial{k, decay, Evaluate(knn, split, Holdout::kValidation, options)});
      if (on_trial) on_trial(trials.back());
    }
  }
  for (const KnnTrial& t : trials) {
    if (best == nullptr || t.validation.ndcg[0] > best->validation.ndcg[0]) best = &t;
  }
  if (best != nullptr) knn.SetScoring(best->neighbours, best->decay);
  return trials;
}

}  // namespace candor::reco
