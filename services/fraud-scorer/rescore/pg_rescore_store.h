#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/fraud-scorer/rescore/rescore_ports.h"

namespace candor::fraud_scorer::rescore {

// RescoreStore on Postgres: a thin adapter on libs/reviewdb, which owns the SQL. Borrows `pool`.
// Thread-safe.
class PgRescoreStore final : public RescoreStore {
 public:
  explicit PgRescoreStore(pg::Pool& pool) : db_(pool) {}

  absl::StatusOr<int64_t> Count(const reviewdb::RescoreSelection& selection) override {
    return db_.CountRescoreCandidates(selection);
  }
  absl::StatusOr<reviewdb::CandidatePage> Page(const reviewdb::RescoreSelection& selection,
                                               const std::string& cursor, int limit) override {
    return db_.ListRescoreCandidates(selection, cursor, limit);
  }
  absl::StatusOr<std::vector<reviewdb::AppliedRescore>> Apply(
      const std::vector<reviewdb::RescoreDecision>& decisions) override {
    return db_.ApplyRescores(decisions);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::fraud_scorer::rescore
