#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/ratings/rating_cache.h"
#include "libs/reviewdb/review_db.h"

namespace candor::ratings {

// RatingStore and RatingScan on Postgres `product_ratings`, read through reviewdb::ReviewDb
// (libs/reviewdb): ListAll pages by asin (the primary key), ListChanged by (updated_at, asin),
// the index of db/migrations/0002. Borrows `pool`. Thread-safe.
class PgRatingStore final : public RatingStore, public RatingScan {
 public:
  explicit PgRatingStore(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override;
  absl::StatusOr<RatingPage> ListAll(const std::string& cursor, int limit) override;
  absl::StatusOr<RatingPage> ListChanged(absl::Duration newer_than, absl::Duration older_than,
                                         const std::string& cursor, int limit) override;

  // The SELECT list and row decoder of product_ratings (reviewdb::kRatingColumns and
  // reviewdb::RatingFromRow), for the end-to-end test and benchmarks that read it themselves.
  static constexpr const char* kColumns = reviewdb::kRatingColumns;
  static review::RatingAggregate FromRow(const pqxx::row& row) {
    return reviewdb::RatingFromRow(row);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::ratings
