#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "libs/reco/interactions.h"

namespace candor::reco {

// One request for recommendations: who asks, what they did before (oldest first), and when.
struct Query {
  int32_t user = 0;
  std::span<const Event> history;
  int64_t now = 0;  // unix seconds; the evaluation passes the held-out item's time
};

// A recommender the offline evaluation (evaluation.h) and, later, reco-api's candidate stage can
// run: popularity, item-kNN, the two-tower model. Fit once, then score every item per query.
// Implementations need not be thread-safe: use one instance per thread.
class Recommender {
 public:
  virtual ~Recommender() = default;

  // A short name with the settings that matter ("itemknn(k=100,decay=0.8)").
  virtual std::string Name() const = 0;

  // Learns from every user's events (oldest first). May be called again to refit. Errors:
  // InvalidArgument when `train` cannot be used (no event).
  virtual absl::Status Fit(const Sequences& train) = 0;

  // Writes a score for every item id (scores.size() == train.num_items()); higher is better.
  // Items in the history are scored like any other: excluding them is the caller's policy.
  virtual void Score(const Query& query, std::span<float> scores) = 0;
};

}  // namespace candor::reco
