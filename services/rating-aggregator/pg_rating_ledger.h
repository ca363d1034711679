#pragma once

#include "libs/pg/pg_pool.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// RatingLedger on Postgres (reviews.counted is the ledger, product_ratings the aggregates). One
// Apply is one transaction with a fixed number of statements whatever the batch size: per phase
// at most two UPDATE ... WHERE review_id = ANY($1) RETURNING, then for all changed products one
// INSERT ... ON CONFLICT DO NOTHING (rows of new products) and one multi-row UPDATE adding the
// deltas, then one SELECT for the touched products that did not change. Only the owner of a
// product's partition writes its row, so instances do not contend; a deadlock during a rebalance
// surfaces as Aborted and the pool retries the transaction. Errors carry pg::Pool's codes
// (StatusCodeForSqlState): a delta the CHECK (>= 0) constraints refuse is FailedPrecondition,
// which the batch loop treats as deterministic. Borrows `pool`. Thread-safe.
class PgRatingLedger final : public RatingLedger {
 public:
  explicit PgRatingLedger(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<LedgerResult> Apply(const std::vector<LedgerPhase>& phases,
                                     const std::vector<std::string>& touched_asins) override;

 private:
  pg::Pool& pool_;
};

}  // namespace candor::rating_aggregator
