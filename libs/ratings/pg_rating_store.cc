#include "libs/ratings/pg_rating_store.h"

namespace candor::ratings {

review::RatingAggregate PgRatingStore::FromRow(const pqxx::row& row) {
  review::RatingAggregate a;
  a.asin = row[0].as<std::string>();
  a.count = row[1].as<int64_t>();
  a.sum = row[2].as<int64_t>();
  a.verified_count = row[3].as<int64_t>();
  a.verified_sum = row[4].as<int64_t>();
  for (int i = 0; i < 5; ++i) a.stars[i] = row[5 + i].as<int64_t>();
  a.version = row[10].as<int64_t>();
  return a;
}

absl::StatusOr<std::optional<review::RatingAggregate>> PgRatingStore::Get(const std::string& asin) {
  std::optional<review::RatingAggregate> out;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(
        std::string("SELECT ") + kColumns + " FROM product_ratings WHERE asin = $1", asin);
    if (!r.empty()) out = FromRow(r[0]);
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace candor::ratings
