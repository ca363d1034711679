#include "services/fraud-scorer/pg_review_repository.h"

namespace candor::fraud_scorer {

absl::StatusOr<std::vector<StoredReview>> PgReviewRepository::Store(
    const std::vector<ScoredReview>& reviews) {
  std::vector<reviewdb::NewReview> rows;
  rows.reserve(reviews.size());
  for (const ScoredReview& r : reviews) {
    reviewdb::NewReview& row = rows.emplace_back();
    row.submission = r.submission;
    row.status = r.status;
    row.fraud_score = r.decision.score;
    row.decision = std::string(KindName(r.decision.kind));
    row.scorer = r.decision.scorer;
    row.reasons = r.decision.reasons;
    if (r.status == ReviewStatus::kHeld) row.queue_reason = QueueReason(r.decision);
  }
  return db_.InsertScored(rows);
}

}  // namespace candor::fraud_scorer
