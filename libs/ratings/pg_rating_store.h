#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/ratings/rating_cache.h"

namespace candor::ratings {

// RatingStore on Postgres `product_ratings`. Borrows `pool`.
class PgRatingStore final : public RatingStore {
 public:
  explicit PgRatingStore(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override;

  // The SELECT list and row decoder shared with the aggregator's RETURNING clause.
  static constexpr const char* kColumns =
      "asin, review_count, rating_sum, verified_count, verified_sum, stars_1, stars_2, stars_3, "
      "stars_4, stars_5, version";
  static review::RatingAggregate FromRow(const pqxx::row& row);

 private:
  pg::Pool& pool_;
};

}  // namespace candor::ratings
