#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "libs/ratings/rating_cache.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// Counters for the stats line. Written by the consumer thread, readable from any thread.
struct AggregatorStats {
  std::atomic<int64_t> counted{0};
  std::atomic<int64_t> uncounted{0};
  std::atomic<int64_t> products_changed{0};
  std::atomic<int64_t> cache_writes{0};  // aggregates written to the cache
  std::atomic<int64_t> cache_stale{0};   // writes the cache ignored (it held that version)
};

// The rating-aggregator's step for one batch (design.md 3.5): apply the events to the ledger in
// one transaction, then write the resulting absolute aggregates (never increments) to the cache
// for every product the batch touched, so that a retried batch whose transaction had already
// committed still repairs the cache. Knows nothing of Kafka, Postgres or Redis. Borrows its
// ports; one thread at a time.
class Aggregator {
 public:
  Aggregator(RatingLedger& ledger, ratings::RatingCache& cache);

  // `events` in offset order. OK when the ledger committed and the cache holds every touched
  // product's aggregate (or a newer one). Any error is transient and the batch may be repeated:
  // Unavailable when the cache cannot be written, the ledger's error otherwise.
  absl::Status Apply(const std::vector<LedgerEvent>& events);

  const AggregatorStats& stats() const { return stats_; }

 private:
  RatingLedger& ledger_;
  ratings::RatingCache& cache_;
  AggregatorStats stats_;
};

}  // namespace candor::rating_aggregator
