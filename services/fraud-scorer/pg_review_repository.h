#pragma once

#include "libs/pg/pg_pool.h"
#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer {

// ReviewRepository on Postgres (db/migrations/0001_reviews.sql). One Store is one transaction of
// two statements whatever the batch size: a multi-row INSERT into reviews ... ON CONFLICT
// (fingerprint) DO NOTHING whose RETURNING feeds the fraud_audit and moderation_queue inserts (all
// in one statement through data-modifying CTEs), then one SELECT of the stored rows. Borrows
// `pool`. Thread-safe. Errors carry pg::Pool's codes (StatusCodeForSqlState): a row Postgres
// refuses (a constraint, SQLSTATE class 23) is FailedPrecondition, a value it cannot take (class
// 22) InvalidArgument, both deterministic for the batch loop; Unavailable / Aborted are transient.
class PgReviewRepository final : public ReviewRepository {
 public:
  explicit PgReviewRepository(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) override;

 private:
  pg::Pool& pool_;
};

}  // namespace candor::fraud_scorer
