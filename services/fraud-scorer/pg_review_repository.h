#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer {

// ReviewRepository on Postgres: the scorer's decisions as rows of reviewdb::ReviewDb::InsertScored
// (one transaction of two statements whatever the batch size; libs/reviewdb). Borrows `pool`.
// Thread-safe. Errors are ReviewDb's: a row Postgres refuses (a constraint) is
// FailedPrecondition, a value it cannot take InvalidArgument, both deterministic for the batch
// loop; Unavailable / Aborted are transient.
class PgReviewRepository final : public ReviewRepository {
 public:
  explicit PgReviewRepository(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) override;

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::fraud_scorer
