#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// RatingLedger and LedgerAudit on Postgres: reviews.counted is the ledger, product_ratings the
// aggregates, both written by reviewdb::ReviewDb (libs/reviewdb): ApplyCounts, one transaction
// with a fixed number of statements whatever the batch size, and the reconciler's RecountRatings.
// Errors are ReviewDb's: a delta the CHECK (>= 0) constraints refuse is FailedPrecondition, which
// the batch loop treats as deterministic; a deadlock during a rebalance is retried by the pool.
// Borrows `pool`. Thread-safe.
class PgRatingLedger final : public RatingLedger, public LedgerAudit {
 public:
  explicit PgRatingLedger(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<LedgerResult> Apply(const std::vector<LedgerPhase>& phases,
                                     const std::vector<std::string>& touched_asins) override {
    return db_.ApplyCounts(phases, touched_asins);
  }
  absl::StatusOr<std::vector<review::RatingAggregate>> CountedSums(
      const std::vector<std::string>& asins) override {
    return db_.CountedSums(asins);
  }
  absl::StatusOr<std::vector<std::string>> UnratedCountedAsins(int limit) override {
    return db_.UnratedCountedAsins(limit);
  }
  absl::StatusOr<std::vector<review::RatingAggregate>> Recount(
      const std::vector<std::string>& asins, const std::vector<int64_t>& min_versions) override {
    return db_.RecountRatings(asins, min_versions);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::rating_aggregator
