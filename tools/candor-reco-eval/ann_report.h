#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/ann_index.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/interactions.h"
#include "libs/reco/split.h"
#include "libs/reco/two_tower.h"
#include "nlohmann/json.hpp"

namespace candor::reco {

struct AnnReportOptions {
  HnswOptions hnsw;
  int32_t recall_k = 100;     // recall@k of HNSW against exact search
  int32_t candidates = 1000;  // the candidate set the two-tower model re-scores
};

// candor-reco-eval --ann hnsw (README.md, "--ann"): builds the exact and the HNSW index over the
// two-tower model's item vectors and measures, on `holdout`'s evaluated users of `split`:
//   - recall@k of HNSW against exact search for the users' query vectors (their user-tower
//     output for split.History(user, holdout), what Evaluate scores with);
//   - recall@k for item-to-item queries (every item's own vector), the item itself included
//     and excluded (the neighbours of SimilarItems);
//   - build time and search time per query of both indexes (at k and at `candidates`);
//   - HR/NDCG of the two-tower model ranking all items against ranking only HNSW's top
//     `candidates` for the user vector (the others score lowest: ties in expectation), both
//     appended to `results` with the names "twotower" and "twotower+<index>top<candidates>".
// `weights` is the model; its rows are bound to `log`'s items by source id, as
// TwoTowerModel::Bind. Progress goes to stderr; the figures are returned as JSON.
// Errors: InvalidArgument when the model knows none of the data's items or the index cannot be
// built.
absl::StatusOr<nlohmann::json> RunAnnReport(const AnnReportOptions& options,
                                            const TwoTowerWeights& weights,
                                            const InteractionLog& log,
                                            const LeaveOneOutSplit& split, Holdout holdout,
                                            const EvalOptions& eval_options,
                                            std::vector<EvalResult>* results);

}  // namespace candor::reco
