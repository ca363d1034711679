#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/review/review_status.h"
#include "libs/review/submission.h"
#include "libs/reviewdb/review_rows.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

// The one review-status vocabulary (libs/review/review_status.h).
using review::ReviewStatus;

// Where a decision sends a review: pass and unscored -> active (it counts), queue -> held (a
// moderator decides), reject -> rejected. Held and rejected reviews are stored, not counted.
ReviewStatus StatusFor(Decision::Kind kind);

// The moderation_queue.reason a moderator sees first, one line: the scorer, the score and the
// reasons ("rules-v1 score 0.6: shouting: 12 of 14 letters upper case; exclamations: 5 '!'"). The
// structured reasons go beside it (moderation_queue.reasons). For the scorer's held reviews and
// the re-scorer's newly held ones. Pure.
std::string QueueReason(const Decision& decision);

// A review with the scorer's decision, ready to be stored.
struct ScoredReview {
  review::Submission submission;
  Decision decision;
  ReviewStatus status = ReviewStatus::kActive;
};

// A review as the database holds it after a Store call: a new row, or the row an earlier
// delivery stored (whose values win over the message's).
using StoredReview = reviewdb::StoredReview;

// Port: the review ledger's write side (design.md 3.4). Thread-safe; never throws.
class ReviewRepository {
 public:
  virtual ~ReviewRepository() = default;
  // In one transaction: inserts every review whose fingerprint is not stored yet, and for each
  // row actually inserted its fraud audit row and, when held, its moderation queue row; a
  // fingerprint already stored is left untouched (the final dedup gate, so a redelivery is a
  // no-op). Returns the stored state of every given review, in the given order. `reviews` must
  // not repeat a review id. Unavailable / Aborted / Internal from the database; nothing is
  // stored on error.
  virtual absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) = 0;
};

}  // namespace candor::fraud_scorer
