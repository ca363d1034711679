#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/review_event.h"
#include "services/reco-api/engine.h"
#include "services/reco-api/feature_snapshot.h"

namespace candor::reco_api {

// What reco-api remembers of review-events (a port; RedisHistoryStore is the adapter): each
// user's reviewed products and the recently popular products. Thread-safe implementations.
class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Applies a batch idempotently (delivery is at-least-once): an Accepted review enters its
  // author's history and the popularity counts of its day once, whatever the redeliveries; a
  // Removed one leaves both; a Restored one comes back. Events of reviews never seen accepted
  // are ignored. `now` dates events that carry no time. Unavailable when the store is down.
  virtual absl::Status Apply(std::span<const review::ReviewEvent> events, absl::Time now) = 0;

  // The user's reviewed products, oldest first (at most the store's cap, the newest kept); empty
  // for a user never seen. Unavailable when the store is down.
  virtual absl::StatusOr<std::vector<HistoryItem>> History(std::string_view user_id) = 0;

  // The `n` products with the most accepted reviews over the `window_days` days up to `now`,
  // most first; when fewer than `n` had any, the all-time most reviewed follow.
  virtual absl::StatusOr<std::vector<PopularItem>> Popular(absl::Time now, int32_t window_days,
                                                           int32_t n) = 0;

  // The ranker's features of `asins` at `now` (unix seconds) as the feature store holds them: per
  // item its aggregates (reviews before `now`, those in [now - window, now), first and last,
  // rating count and sum) and the co-review counts of each item whose index is in `history`
  // with every item of `asins`. Local ids are indexes into `asins`. Unavailable when the store
  // is down.
  virtual absl::StatusOr<FeatureSnapshot> Features(std::vector<std::string> asins,
                                                   std::span<const int32_t> history, int64_t now,
                                                   int64_t window_seconds) = 0;
};

}  // namespace candor::reco_api
