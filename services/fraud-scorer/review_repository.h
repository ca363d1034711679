#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/submission.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

// A review's lifecycle state, as stored in reviews.status.
enum class ReviewStatus { kActive, kPending, kRejected, kRemoved };

// "active", "pending", "rejected", "removed".
std::string_view StatusName(ReviewStatus status);
// Inverse of StatusName; nullopt for anything else.
std::optional<ReviewStatus> ParseStatus(std::string_view name);

// Where a decision sends a review: pass and unscored -> active (it counts), queue -> pending (a
// moderator decides), reject -> rejected. Queued and rejected reviews are stored, not counted.
ReviewStatus StatusFor(Decision::Kind kind);

// A review with the scorer's decision, ready to be stored.
struct ScoredReview {
  review::Submission submission;
  Decision decision;
  ReviewStatus status = ReviewStatus::kActive;
};

// A review as the database holds it after a Store call: a new row, or the row an earlier
// delivery stored (whose values win over the message's).
struct StoredReview {
  std::string review_id;
  std::string asin;
  std::string user_id;
  int rating = 0;
  bool verified_purchase = false;
  ReviewStatus status = ReviewStatus::kActive;
  absl::Time stored_at;
  bool inserted = false;  // true when this call created the row
};

// Port: the review ledger's write side (design.md 3.4). Thread-safe; never throws.
class ReviewRepository {
 public:
  virtual ~ReviewRepository() = default;
  // In one transaction: inserts every review whose fingerprint is not stored yet, and for each
  // row actually inserted its fraud audit row and, when pending, its moderation queue row; a
  // fingerprint already stored is left untouched (the final dedup gate, so a redelivery is a
  // no-op). Returns the stored state of every given review, in the given order. `reviews` must
  // not repeat a review id. Unavailable / Aborted / Internal from the database; nothing is
  // stored on error.
  virtual absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) = 0;
};

}  // namespace candor::fraud_scorer
