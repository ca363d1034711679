#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "libs/review/helpful_vote.h"
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

// A stored review's shopper-visible content and status: what the search index holds
// (index-writer). Plain value type.
struct ReviewContent {
  std::string review_id;
  std::string asin;
  int32_t rating = 0;
  std::string title;
  std::string body;
  bool verified_purchase = false;
  absl::Time submitted_at;
  review::ReviewStatus status = review::ReviewStatus::kActive;
  // helpfulness-ranker's counts and ranking key (review_ranks, migration 0007); 0, 0 and unset
  // while the ranker has not seen the review, sort_key unset while it is not ranked.
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;
  std::optional<double> sort_key;
};

// Who reviewed what, when and how: an active review as recommendations read it (the trainers'
// Candor input, libs/reco). Plain value type.
struct ReviewInteraction {
  std::string review_id;
  std::string user_id;
  std::string asin;
  int32_t rating = 0;
  absl::Time submitted_at;
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

// --- re-scoring (services/fraud-scorer/rescore, candor-fraud-rescore) ---

// Which stored reviews a re-score reads (ReviewDb::ListRescoreCandidates). Plain value type.
struct RescoreSelection {
  // Only the reviews whose latest fraud_audit decision is kUnscoredDecision, in the order those
  // rows were written; otherwise every review, in (submitted_at, review_id) order.
  bool unscored_only = false;
  std::optional<absl::Time> from{};  // submitted_at >= from
  std::optional<absl::Time> to{};    // submitted_at < to
  std::string asin{};                // only this product's reviews; "" for every product
};

// A stored review as a re-score reads it: the submission as the scorer had it (the row's ids,
// text, rating, flags, submission time, client address, device id and account creation claim;
// `imported` is not stored and reads false), its status and `counted` flag, and its latest
// fraud_audit row. Plain value type.
struct RescoreCandidate {
  review::Submission submission;
  review::ReviewStatus status = review::ReviewStatus::kActive;
  bool counted = false;
  int64_t audit_id = 0;  // the latest fraud_audit row's id; 0 when the review has none
  std::string decision;  // its decision ("pass", ..., kUnscoredDecision); "" when none
  std::string scorer;    // its scorer (a model version, "rules-v1")
  std::vector<review::Reason> reasons;  // its reasons (ReasonsFromJson)
  absl::Time decided_at;                // its time
};

// One page of re-score candidates and the opaque cursor that continues after them (empty when
// this was the last page).
struct CandidatePage {
  std::vector<RescoreCandidate> candidates;
  std::string next;
};

// A re-score's decision to enact on one review (ReviewDb::ApplyRescores): a new fraud_audit row
// and the status it routes to, made against the review's state when it was read. Plain value.
struct RescoreDecision {
  std::string review_id{};
  int64_t seen_audit_id = 0;  // RescoreCandidate::audit_id: the latest audit row when read
  review::ReviewStatus from = review::ReviewStatus::kActive;  // the status when read
  review::ReviewStatus to = review::ReviewStatus::kActive;    // == from: the status stays
  double fraud_score = 0.0;
  std::string decision{};                 // "pass", "queue" or "reject"
  std::string scorer{};                   // the model's version
  std::vector<review::Reason> reasons{};  // most important first
  std::string queue_reason{};             // moderation_queue.reason when the review becomes held
};

// A decision ApplyRescores enacted. Plain value type.
struct AppliedRescore {
  std::string review_id;
  review::ReviewStatus from = review::ReviewStatus::kActive;
  review::ReviewStatus to = review::ReviewStatus::kActive;
  absl::Time decided_at;  // the new audit row's time
};

// The moderation_queue.state of a queue row whose review a re-score moved out of kHeld
// (migration 0005); a moderator's rows are 'approved' or 'rejected', waiting ones 'open'.
inline constexpr char kQueueStateRescored[] = "rescored";

// Whether a re-score may move a stored review from `from` to `to`: both are statuses a scoring
// decision routes to (kActive, kHeld, kRejected), equal ones included (the status stays).
// kRemoved (a moderator's) and kAwaitingScoring (never stored) are not. Pure.
bool IsRescoreTransition(review::ReviewStatus from, review::ReviewStatus to);

// --- helpful votes and the helpfulness ranking (helpfulness-ranker, ListReviews) ---

// A review as the ranking sees it: its counts (equal to its vote ledger rows, I4), what its sort
// key depends on, its status and the sort key stored now (nullopt: not ranked). Plain value.
struct RankedReview {
  std::string review_id;
  std::string asin;
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;
  bool verified_purchase = false;
  absl::Time submitted_at;
  review::ReviewStatus status = review::ReviewStatus::kActive;
  std::optional<double> sort_key;
};

// What one ReviewDb::ApplyVotes transaction did. Plain value.
struct VoteResult {
  // After the commit: every review a vote or `rank_ids` touched that is stored, with its sort
  // key as this call left it.
  std::vector<RankedReview> reviews;
  int64_t changed = 0;    // votes that changed a ledger row (a new, changed or retracted vote)
  int64_t unchanged = 0;  // votes older than or as old as the row's (replays), or repeating it
  int64_t unknown = 0;    // votes for a review that is not stored (left out of the ledger)
};

// The ledger's own sums for one review next to its counts in review_ranks: I4 holds when they
// agree.
struct VoteCountCheck {
  std::string review_id;
  int64_t row_helpful = 0, row_total = 0;        // review_ranks.helpful_votes, total_votes
  int64_t ledger_helpful = 0, ledger_total = 0;  // from helpful_votes rows
};

// How ListReviews orders a page.
enum class ReviewOrder { kMostHelpful, kNewest };

// Which active reviews of a product a page lists, and where it starts (a keyset position: the
// last row of the previous page). Plain value.
struct ReviewListQuery {
  std::string asin;
  ReviewOrder order = ReviewOrder::kMostHelpful;
  uint8_t stars_mask = 0;  // bit (stars - 1) set: only those ratings; 0: every rating
  bool verified_only = false;
  // Start after this row: (sort_key, review_id) for kMostHelpful, (submitted_at, review_id) for
  // kNewest; nullopt for the first page.
  std::optional<std::pair<double, std::string>> after_key{};
  std::optional<std::pair<absl::Time, std::string>> after_time{};
  int limit = 50;
};

// One review as a product page lists it. Plain value.
struct ListedReview {
  std::string review_id;
  std::string asin;
  std::string title;
  std::string body;
  int rating = 0;
  bool verified_purchase = false;
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;
  absl::Time submitted_at;
  std::optional<double> sort_key;  // nullopt: not ranked
};

// The few facts VoteHelpful checks about a review. Plain value.
struct ReviewHead {
  std::string review_id;
  std::string asin;
  std::string user_id;  // the author
  review::ReviewStatus status = review::ReviewStatus::kActive;
};

// The name helpful_votes.vote stores for `v` ("helpful", "not_helpful", "retracted"). Pure.
std::string_view VoteName(review::Vote v);

}  // namespace candor::reviewdb
