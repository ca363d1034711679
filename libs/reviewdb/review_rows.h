#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/review/rating_aggregate.h"
#include "libs/review/reason.h"
#include "libs/review/review_status.h"
#include "libs/review/submission.h"

// The rows of the review tables (db/migrations) as plain values, apart from the Postgres code
// (review_db.h) so that ports can name them without linking libpqxx.
namespace candor::reviewdb {

// A scored review to store: the `reviews` row, its `fraud_audit` row and, when `status` is kHeld,
// its `moderation_queue` row. Plain value type.
struct NewReview {
  review::Submission submission;
  review::ReviewStatus status = review::ReviewStatus::kActive;  // never kAwaitingScoring
  double fraud_score = 0.0;
  std::string decision;  // fraud_audit.decision: "pass", "queue", "reject", "unscored"
  std::string scorer;    // fraud_audit.scorer, e.g. "rules-v1"
  // fraud_audit.reasons and, when held, moderation_queue.reasons: a JSON array of objects
  // {"code", "value", "weight", "text"}, most important first.
  std::vector<review::Reason> reasons;
  std::string queue_reason;  // moderation_queue.reason (the summary); used only when kHeld
};

// The names in fraud_audit.decision (and NewReview::decision) of a decision that failed open:
// the review was not scored.
inline constexpr char kUnscoredDecision[] = "unscored";

// A review's stored status and its latest scoring decision (GetReviewStatus). Plain value type.
struct ReviewDecision {
  std::string review_id;
  std::string user_id;  // the author
  review::ReviewStatus status = review::ReviewStatus::kActive;
  // The latest fraud_audit row: decision ("pass", ..., kUnscoredDecision), when, and its reasons
  // (most important first). Empty / nullopt when the review has no audit row.
  std::string decision;
  std::optional<absl::Time> decided_at;
  std::vector<review::Reason> reasons;
};

// A review as `reviews` holds it after a store: a new row, or the row an earlier delivery stored
// (whose values win over the new one's). Plain value type.
struct StoredReview {
  std::string review_id;
  std::string asin;
  std::string user_id;
  int rating = 0;
  bool verified_purchase = false;
  review::ReviewStatus status = review::ReviewStatus::kActive;
  absl::Time stored_at;
  bool inserted = false;  // true when this call created the row
};

// Counted-flag flips that may run in any order relative to each other: no review is in both
// lists. A count flips `reviews.counted` false -> true while the review is kActive; an uncount
// flips it back while the review is kRemoved.
struct CountPhase {
  std::vector<std::string> count_ids{};
  std::vector<std::string> uncount_ids{};
};

// What one ReviewDb::ApplyCounts transaction did.
struct CountResult {
  // After the commit: the aggregate (with its version) of every product that was touched or
  // changed and has a product_ratings row.
  std::vector<review::RatingAggregate> aggregates;
  int64_t counted = 0;           // reviews flipped to counted
  int64_t uncounted = 0;         // reviews flipped back
  int64_t products_changed = 0;  // product_ratings rows whose counts (and version) changed
};

// One page of product_ratings rows, and the opaque cursor that continues after them (empty when
// this was the last page).
struct RatingsPage {
  std::vector<review::RatingAggregate> aggregates;
  std::string next;
};

// Whether moving a stored review from `from` to `to` is one of the lifecycle's transitions
// (design.md 5): a moderator approves (held -> active) or rejects (held -> rejected) a held
// review, removes an active one (active -> removed) and restores a removed one (removed ->
// active). Everything else, kAwaitingScoring (never stored) included, is not. Pure.
bool IsTransition(review::ReviewStatus from, review::ReviewStatus to);

}  // namespace candor::reviewdb
