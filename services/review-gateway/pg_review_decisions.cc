#include "services/review-gateway/pg_review_decisions.h"

namespace candor::gateway {

absl::StatusOr<std::optional<reviewdb::ReviewDecision>> PgReviewDecisions::Get(
    const std::string& review_id) {
  return db_.GetReviewDecision(review_id);
}

}  // namespace candor::gateway
