#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/ratings/rating_cache.h"

namespace candor::rating_aggregator {

// What RatingHealer checks and how.
struct HealerOptions {
  // How far back the routine check looks: products changed within it are compared with the
  // cache on every check.
  absl::Duration window = absl::Minutes(5);
  // Products changed more recently than this are left to the aggregator's own write, which is
  // normally just behind its commit (a heal there is harmless but would be counted as one).
  absl::Duration settle = absl::Seconds(5);
  // Aggregates per page read from the store and written to the cache in one round trip.
  int page_size = 500;
};

// What one RatingHealer::Check did.
struct HealReport {
  // The cache's incarnation changed since the previous check (Redis restarted), so every
  // product was re-published; the ids before and after.
  bool restarted = false;
  std::string previous_incarnation;
  std::string incarnation;
  int64_t checked = 0;  // aggregates written to the cache with their version
  int64_t healed = 0;   // of those, the ones the cache was missing or held at an older version
};

// Counters for the stats line. Written by the checking thread, readable from any thread.
struct HealerStats {
  std::atomic<int64_t> checks{0};
  std::atomic<int64_t> full_heals{0};  // after a restart of the cache
  std::atomic<int64_t> healed{0};
};

// Heals a rating cache that lost writes (design.md 3.5, I3) without waiting for the products'
// next events: Postgres is the truth, and the cache's versioned write stores an aggregate only
// where the cache is missing it or holds an older version, so a heal never moves the cache
// backwards and racing the aggregator is harmless.
//
// Each Check first asks the cache for its incarnation. When it changed since the previous check
// (Redis restarted and came back with whatever its last fsync or dump held), every product's
// aggregate is re-published, page by page. Otherwise only products changed within
// `window` (and not within `settle`) are re-published, which also catches a cache that went back
// to an older state without restarting (a reloaded dump) as far as the window reaches. The first
// Check only records the incarnation. Domain code: knows nothing of Redis or Postgres. Borrows
// its ports. Check runs on one thread at a time; Cancel from any thread.
class RatingHealer {
 public:
  RatingHealer(ratings::RatingScan& store, ratings::RatingCache& cache, HealerOptions options);

  // One check as above. Errors: the ports' (Unavailable), Cancelled after Cancel. A failed full
  // heal starts over at the next Check.
  absl::StatusOr<HealReport> Check();
  // Makes a running Check stop at its next page and every later one return Cancelled at once.
  void Cancel() { cancelled_ = true; }

  const HealerStats& stats() const { return stats_; }
  const HealerOptions& options() const { return options_; }

 private:
  using PageFn = std::function<absl::StatusOr<ratings::RatingPage>(const std::string& cursor)>;
  absl::Status Republish(const PageFn& page, HealReport* report);

  ratings::RatingScan& store_;
  ratings::RatingCache& cache_;
  HealerOptions options_;
  std::optional<std::string> seen_;  // the incarnation the cache is known to be healed for
  std::atomic<bool> cancelled_{false};
  HealerStats stats_;
};

// The log line for `report` ("healed 3 of 10 rating hashes after redis restart (run_id a -> b)"),
// or empty when it healed nothing. Pure.
std::string DescribeHeal(const HealReport& report, const HealerOptions& options);

}  // namespace candor::rating_aggregator
