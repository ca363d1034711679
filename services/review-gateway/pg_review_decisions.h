#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/review-gateway/review_decisions.h"

namespace candor::gateway {

// ReviewDecisions on Postgres, through reviewdb::ReviewDb::GetReviewDecision (the SQL lives in
// libs/reviewdb). Borrows `pool`. Thread-safe as pg::Pool is.
class PgReviewDecisions final : public ReviewDecisions {
 public:
  explicit PgReviewDecisions(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<std::optional<reviewdb::ReviewDecision>> Get(
      const std::string& review_id) override;

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::gateway
