#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/candor-drive/report.h"

namespace candor::drive {

// What the freshness check reads from the source of truth, the `reviews` table (port; the
// Postgres adapter is pg_ledger.h). Returns Unavailable etc. on failure; never throws.
class ReviewLedger {
 public:
  virtual ~ReviewLedger() = default;
  // The subset of `review_ids` that have a row, in any status.
  virtual absl::StatusOr<std::vector<std::string>> ExistingReviewIds(
      const std::vector<std::string>& review_ids) = 0;
  // count(*) of status 'active' reviews per asin; asins without any are absent.
  virtual absl::StatusOr<std::map<std::string, int64_t>> ActiveCounts(
      const std::vector<std::string>& asins) = 0;
  // How many of `review_ids` are stored in each status ("active", "held", "rejected", ...);
  // statuses with none, and ids not stored, are absent.
  virtual absl::StatusOr<std::map<std::string, int64_t>> StatusCounts(
      const std::vector<std::string>& review_ids) = 0;
};

// Fetches GetProductSummary for each asin (one answer per asin, same order).
using SummaryFetcher = std::function<std::vector<Answer>(const std::vector<std::string>& asins)>;

struct FreshnessOptions {
  absl::Duration timeout = absl::Seconds(60);
  absl::Duration poll = absl::Milliseconds(50);
  size_t max_examples = 5;
};

// Waits until (a) every accepted review_id is a row in `reviews` (I1 as a client sees it) and
// then (b) every product's summary review_count equals its active rows in `reviews` (NOT_FOUND
// counting as 0). A product that matched once is not asked again: once (a) holds its rows are
// final. Reports kFresh with the time from `last_ok` to the poll that saw the last match, or
// kStale (kError if the ledger kept failing) after `timeout` or when `cancelled()` says so,
// naming the first few products and review ids that never converged. Blocks; single-threaded.
FreshnessReport WaitForFreshness(ReviewLedger& ledger, const SummaryFetcher& fetch,
                                 const std::vector<std::string>& ok_review_ids,
                                 const std::vector<std::string>& asins,
                                 std::chrono::steady_clock::time_point last_ok,
                                 const FreshnessOptions& options,
                                 const std::function<bool()>& cancelled);

}  // namespace candor::drive
