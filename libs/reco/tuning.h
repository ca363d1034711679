#pragma once

#include <functional>
#include <vector>

#include "libs/reco/evaluation.h"
#include "libs/reco/item_knn.h"
#include "libs/reco/split.h"

namespace candor::reco {

// The item-kNN settings tried on the validation split.
struct KnnGrid {
  std::vector<int> neighbours{10, 20, 50, 100, 200, 0};  // 0: every kept neighbour
  std::vector<double> decays{1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3};
};

struct KnnTrial {
  int neighbours = 0;
  double decay = 1;
  EvalResult validation;
};

// Scores every grid point on the VALIDATION split (never the test) and leaves `knn` set to the
// one with the best NDCG@10 (ties: the earlier grid point). `knn` must be fitted on split.train
// and keep at least max(grid.neighbours) neighbours. `on_trial` (may be empty) sees each trial
// as it ends. Returns the trials in grid order; an empty grid leaves `knn` as it was.
std::vector<KnnTrial> TuneItemKnn(ItemKnn& knn, const LeaveOneOutSplit& split, const KnnGrid& grid,
                                  const std::function<void(const KnnTrial&)>& on_trial);

}  // namespace candor::reco
