#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/ratings/rating_cache.h"

namespace candor::ratings {

// RatingStore and RatingScan on Postgres `product_ratings`. ListAll pages by asin (the primary
// key); ListChanged by (updated_at, asin), the index of db/migrations/0002. Borrows `pool`.
class PgRatingStore final : public RatingStore, public RatingScan {
 public:
  explicit PgRatingStore(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override;
  absl::StatusOr<RatingPage> ListAll(const std::string& cursor, int limit) override;
  absl::StatusOr<RatingPage> ListChanged(absl::Duration newer_than, absl::Duration older_than,
                                         const std::string& cursor, int limit) override;

  // The SELECT list and row decoder shared with the aggregator's RETURNING clause.
  static constexpr const char* kColumns =
      "asin, review_count, rating_sum, verified_count, verified_sum, stars_1, stars_2, stars_3, "
      "stars_4, stars_5, version";
  static review::RatingAggregate FromRow(const pqxx::row& row);

 private:
  pg::Pool& pool_;
};

}  // namespace candor::ratings
