#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// ReviewReads on Postgres, through reviewdb::ReviewDb (the SQL lives in libs/reviewdb). Borrows
// `pool`. Thread-safe as pg::Pool is.
class PgReviewReads final : public ReviewReads {
 public:
  explicit PgReviewReads(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<std::optional<reviewdb::ReviewHead>> Head(const std::string& review_id) override {
    return db_.GetReviewHead(review_id);
  }
  absl::StatusOr<std::vector<reviewdb::ListedReview>> List(
      const reviewdb::ReviewListQuery& query) override {
    return db_.ListReviews(query);
  }
  absl::StatusOr<std::vector<reviewdb::ListedReview>> Cards(
      const std::vector<std::string>& review_ids) override {
    return db_.GetListedReviews(review_ids);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::gateway
