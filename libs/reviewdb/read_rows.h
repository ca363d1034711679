#pragma once

#include <cstddef>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/pg/pg_pool.h"

namespace candor::reviewdb {

// The rows that `sql` returns with `args` bound, each made a value by `from_row`, read on a
// connection of `pool` outside a transaction (one statement, one snapshot). The errors are
// pg::Pool::WithConnection's (a conversion `from_row` cannot make is Internal). For this library's
// reads (review_db.cc) and its test helpers (reviewdb_testing.cc); thread-safe as pg::Pool is.
template <typename FromRow, typename... Args>
auto ReadRows(pg::Pool& pool, const FromRow& from_row, const std::string& sql, const Args&... args)
    -> absl::StatusOr<std::vector<std::invoke_result_t<const FromRow&, const pqxx::row&>>> {
  std::vector<std::invoke_result_t<const FromRow&, const pqxx::row&>> out;
  absl::Status s = pool.WithConnection([&](pqxx::connection& c) {
    out.clear();
    pqxx::nontransaction tx(c);
    const pqxx::result rows = tx.exec_params(sql, args...);
    out.reserve(static_cast<size_t>(rows.size()));
    for (const pqxx::row& row : rows) out.push_back(from_row(row));
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace candor::reviewdb
