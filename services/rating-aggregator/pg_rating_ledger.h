#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// RatingLedger on Postgres: reviews.counted is the ledger, product_ratings the aggregates, both
// written by reviewdb::ReviewDb::ApplyCounts (libs/reviewdb), one transaction with a fixed number
// of statements whatever the batch size. Errors are ReviewDb's: a delta the CHECK (>= 0)
// constraints refuse is FailedPrecondition, which the batch loop treats as deterministic; a
// deadlock during a rebalance is retried by the pool. Borrows `pool`. Thread-safe.
class PgRatingLedger final : public RatingLedger {
 public:
  explicit PgRatingLedger(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<LedgerResult> Apply(const std::vector<LedgerPhase>& phases,
                                     const std::vector<std::string>& touched_asins) override {
    return db_.ApplyCounts(phases, touched_asins);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::rating_aggregator
