#include "services/rating-aggregator/aggregator.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace candor::rating_aggregator {

Aggregator::Aggregator(RatingLedger& ledger, ratings::RatingCache& cache)
    : ledger_(ledger), cache_(cache) {}

absl::Status Aggregator::Apply(const std::vector<LedgerEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  std::set<std::string> touched;
  for (const LedgerEvent& e : events) touched.insert(e.asin);

  absl::StatusOr<LedgerResult> result =
      ledger_.Apply(PlanPhases(events), std::vector<std::string>(touched.begin(), touched.end()));
  if (!result.ok()) return result.status();
  stats_.counted.fetch_add(result->counted);
  stats_.uncounted.fetch_add(result->uncounted);
  stats_.products_changed.fetch_add(result->products_changed);

  // After the commit: absolute values with their version, so the cache can only move forward and
  // a repeated write is harmless (I3).
  // One round trip for the batch's products.
  absl::StatusOr<std::vector<bool>> stored = cache_.PutMany(result->aggregates);
  if (!stored.ok()) {
    return absl::UnavailableError(absl::StrCat("rating cache write for ", result->aggregates.size(),
                                               " products: ", stored.status().message()));
  }
  for (bool fresh : *stored) {
    stats_.cache_writes.fetch_add(1);
    if (!fresh) stats_.cache_stale.fetch_add(1);
  }
  return absl::OkStatus();
}

}  // namespace candor::rating_aggregator
