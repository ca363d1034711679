#include "libs/ratings/pg_rating_store.h"

#include "absl/strings/str_cat.h"

namespace candor::ratings {
namespace {

// ListChanged's cursor: the last row's updated_at as Postgres prints it (it parses that back to
// the same microsecond), a space-free separator, and its asin.
constexpr char kCursorSeparator = '|';

}  // namespace

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

absl::StatusOr<RatingPage> PgRatingStore::ListAll(const std::string& cursor, int limit) {
  RatingPage page;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(std::string("SELECT ") + kColumns +
                                        " FROM product_ratings WHERE asin > $1 ORDER BY asin "
                                        "LIMIT $2",
                                    cursor, limit);
    for (const pqxx::row& row : r) page.aggregates.push_back(FromRow(row));
  });
  if (!s.ok()) return s;
  if (static_cast<int>(page.aggregates.size()) == limit) page.next = page.aggregates.back().asin;
  return page;
}

absl::StatusOr<RatingPage> PgRatingStore::ListChanged(absl::Duration newer_than,
                                                      absl::Duration older_than,
                                                      const std::string& cursor, int limit) {
  std::string after_time = "-infinity";
  std::string after_asin;
  if (!cursor.empty()) {
    size_t sep = cursor.rfind(kCursorSeparator);
    if (sep == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("bad product_ratings cursor '", cursor, "'"));
    }
    after_time = cursor.substr(0, sep);
    after_asin = cursor.substr(sep + 1);
  }
  RatingPage page;
  std::string last_time;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    // The window is in whole microseconds of the database's clock, which stamped updated_at.
    pqxx::result r =
        tx.exec_params(std::string("SELECT ") + kColumns +
                           ", updated_at::text FROM product_ratings "
                           "WHERE updated_at >= now() - $1 * interval '1 microsecond' "
                           "AND updated_at < now() - $2 * interval '1 microsecond' "
                           "AND (updated_at, asin) > ($3::timestamptz, $4) "
                           "ORDER BY updated_at, asin LIMIT $5",
                       absl::ToInt64Microseconds(newer_than), absl::ToInt64Microseconds(older_than),
                       after_time, after_asin, limit);
    for (const pqxx::row& row : r) {
      page.aggregates.push_back(FromRow(row));
      last_time = row[11].as<std::string>();
    }
  });
  if (!s.ok()) return s;
  if (static_cast<int>(page.aggregates.size()) == limit) {
    page.next =
        absl::StrCat(last_time, std::string(1, kCursorSeparator), page.aggregates.back().asin);
  }
  return page;
}

}  // namespace candor::ratings
