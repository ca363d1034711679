#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "libs/reco/recommender.h"
#include "libs/reco/split.h"

namespace candor::reco {

// The protocol, in one line for tables and reports.
inline constexpr char kProtocol[] = "leave-one-out, full ranking, history masked";

struct EvalOptions {
  std::vector<int> cutoffs{10, 20};
  // Called after each quarter of the users with (users done, users in all); may be empty.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct EvalResult {
  std::string model;
  std::string protocol;  // the split's Protocol()
  Holdout holdout = Holdout::kTest;
  int64_t users = 0;
  int32_t items = 0;  // candidates per ranking before the history mask
  std::vector<int> cutoffs;
  std::vector<double> hit;   // HR@cutoffs[i], mean over users
  std::vector<double> ndcg;  // NDCG@cutoffs[i], mean over users
  double seconds = 0;        // wall time of the scoring and ranking (not the fit)
};

// Ranks each evaluated user's held-out item against ALL items, as S3-Rec / ICLRec's full-sort
// evaluation does: the model scores every item for the user's history (split.History), the items
// of that history are removed from the ranking except the target itself (S3-Rec's train-matrix
// mask; a repeated target stays rankable), and the target's rank among the rest gives HR@k and
// NDCG@k (metrics.h; ties in expectation; a NaN target score is a miss). `model` must already be
// fitted on split.train.
// Users are visited in order of their held-out item's time, so a windowed model slides forward.
EvalResult Evaluate(Recommender& model, const LeaveOneOutSplit& split, Holdout holdout,
                    const EvalOptions& options);

const char* HoldoutName(Holdout holdout);

}  // namespace candor::reco
