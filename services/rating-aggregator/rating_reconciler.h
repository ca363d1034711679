#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/ratings/rating_cache.h"
#include "libs/review/rating_aggregate.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// How one product's aggregates disagree (design.md, invariants I2 and I3).
enum class DriftKind {
  kLedger,        // I2: product_ratings differs from the sums over the counted reviews
  kUnrated,       // I2: counted reviews, but no product_ratings row
  kCacheMissing,  // I3: rating:{asin} absent while product_ratings has a row
  kCacheBehind,   // I3: rating:{asin} at an older version than product_ratings
  kCacheWrong,    // I3: rating:{asin} at the same version with other values, at a newer one, or
                  // unreadable (a field that is not a number)
};
inline constexpr int kDriftKinds = 5;

// "ledger", "unrated", "cache-missing", "cache-behind", "cache-wrong".
const char* DriftKindName(DriftKind kind);

// One product found drifting: the kind, and what each copy holds (for the report).
struct Drift {
  std::string asin;
  DriftKind kind = DriftKind::kLedger;
  std::optional<review::RatingAggregate> stored;   // product_ratings (nullopt: no row)
  std::optional<review::RatingAggregate> counted;  // kLedger / kUnrated: the ledger's sums
  std::optional<review::RatingAggregate> cached;   // rating:{asin} (nullopt: absent)
  std::string unreadable;  // why rating:{asin} could not be read (kCacheWrong), else empty
};

// What RatingReconciler::Check found.
struct ReconcileReport {
  int64_t products = 0;       // product_ratings rows compared
  int64_t candidates = 0;     // products that differed in the sweep, before the re-check
  std::vector<Drift> drifts;  // what still differed after the re-check, one per product

  bool clean() const { return drifts.empty(); }
  int64_t Count(DriftKind kind) const;
};

// A line per drift ("B00EXAMPLE ledger: product_ratings count=3 sum=12 ... v7; counted reviews
// count=4 sum=17 ..."), at most `max_lines` (then "... and N more"), and the total line
// ("drift: 2 (ledger 1, unrated 0, cache-missing 1, cache-behind 0, cache-wrong 0) over 1234
// products").
std::string DescribeReport(const ReconcileReport& report, int max_lines);

// What RatingReconciler does and how.
struct ReconcileOptions {
  // Products per page read from Postgres, and per batch of cache reads and repairs.
  int page_size = 500;
  // A product that differs in the sweep is compared again after this: the aggregator writes
  // Redis just after its commit, so a difference younger than that is normally in flight. Only
  // what still differs counts. Zero: no re-check.
  absl::Duration settle = absl::Seconds(2);
  // Most products with counted reviews and no row that one check lists.
  int unrated_limit = 10000;
};

// The reconciliation of the rating aggregates (design.md 5, "a reconciliation job"): compares
// every product_ratings row with the sums over its counted reviews (I2) and with its Redis copy
// (I3), and repairs what differs. Domain code over ports; knows nothing of Postgres or Redis.
// Borrows its ports; runs on one thread.
//
// Repairs go through the same two mechanisms the service runs on, so they are safe beside a
// running aggregator: a product whose row (or whose cache entry at the row's version or a newer
// one) is wrong is recounted from its counted reviews in one transaction that locks the row
// (LedgerAudit::Recount) and gets a version past both copies; then every repaired product's
// aggregate is written to the cache with the versioned write, which never moves it backwards.
// Only an entry that cannot be read, or that blocks the versioned write while reading as absent
// (a partial hash with a version of its own), is dropped first.
class RatingReconciler {
 public:
  // `sleep` waits out the settle time (absl::SleepFor in the service; tests pass their own).
  RatingReconciler(ratings::RatingScan& scan, ratings::RatingStore& store, LedgerAudit& audit,
                   ratings::RatingCache& cache, ReconcileOptions options,
                   std::function<void(absl::Duration)> sleep);

  // Sweeps every product (progress: called after each page with the products compared so far),
  // then re-checks the products that differed after `settle`. Errors: the ports'.
  absl::StatusOr<ReconcileReport> Check(const std::function<void(int64_t)>& progress = {});

  // Repairs every drift of `report` as the class comment says; returns how many products were
  // recounted or rewritten. Errors: the ports'; what was repaired before an error stays repaired.
  absl::StatusOr<int64_t> Repair(const ReconcileReport& report);

 private:
  // Compares `rows` (product_ratings, or nullopt for an asin known to have none) with the sums
  // and the cache; appends what differs to `out`.
  absl::Status Compare(const std::vector<std::string>& asins,
                       const std::vector<std::optional<review::RatingAggregate>>& rows,
                       std::vector<Drift>* out);

  // Writes `aggregates` to the cache (versioned), dropping the entries of `drop` first and any
  // entry that blocks the write while reading as absent.
  absl::Status Publish(const std::vector<review::RatingAggregate>& aggregates,
                       const std::set<std::string>& drop);

  // options_.page_size as a chunk size.
  size_t Page() const { return static_cast<size_t>(options_.page_size); }

  ratings::RatingScan& scan_;
  ratings::RatingStore& store_;
  LedgerAudit& audit_;
  ratings::RatingCache& cache_;
  ReconcileOptions options_;
  std::function<void(absl::Duration)> sleep_;
};

}  // namespace candor::rating_aggregator
