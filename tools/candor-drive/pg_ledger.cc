#include "tools/candor-drive/pg_ledger.h"

namespace candor::drive {
namespace {

// A Postgres text[] literal: {"a","b"} with quotes and backslashes escaped. One parameter of
// any length, instead of thousands of placeholders.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgLedger>> PgLedger::Connect(const std::string& dsn) {
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(dsn, 1);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<PgLedger>(new PgLedger(std::move(*pool)));
}

absl::StatusOr<std::vector<std::string>> PgLedger::ExistingReviewIds(
    const std::vector<std::string>& review_ids) {
  std::vector<std::string> found;
  absl::Status s = pool_->WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(
        "SELECT review_id FROM reviews WHERE review_id = ANY($1::text[])", TextArray(review_ids));
    for (const auto& row : r) found.push_back(row[0].as<std::string>());
  });
  if (!s.ok()) return s;
  return found;
}

absl::StatusOr<std::map<std::string, int64_t>> PgLedger::ActiveCounts(
    const std::vector<std::string>& asins) {
  std::map<std::string, int64_t> counts;
  absl::Status s = pool_->WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(
        "SELECT asin, count(*) FROM reviews WHERE asin = ANY($1::text[]) AND status = 'active' "
        "GROUP BY asin",
        TextArray(asins));
    for (const auto& row : r) counts[row[0].as<std::string>()] = row[1].as<int64_t>();
  });
  if (!s.ok()) return s;
  return counts;
}

}  // namespace candor::drive
