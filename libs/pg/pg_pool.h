#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/metrics/metrics.h"

namespace candor::pg {

// The status for a PostgreSQL error by its SQLSTATE, so that callers can tell a failure worth
// retrying from one that repeating the same input will not cure (kafka::IsDeterministicFailure):
// - class 08 (connection), 53 (insufficient resources: disk full, out of memory, too many
//   connections), 58 (system/I-O error), 57P01..57P05 (server shutting down, cannot connect now),
//   25006 (read-only transaction: connected to a standby after a failover), 40003 (statement
//   completion unknown) -> Unavailable;
// - 40001 serialization failure, 40P01 deadlock, the rest of class 40, 55P03 lock not available
//   -> Aborted (retry the transaction);
// - 57014 query canceled (statement_timeout) -> DeadlineExceeded;
// - class 23 (integrity constraint: unique, foreign key, check, not null, exclusion) ->
//   FailedPrecondition: the row conflicts with what is stored;
// - class 22 (data exception: value out of range, invalid text representation, invalid byte
//   sequence, division by zero) and 54 (program limit exceeded: an index row or an array too
//   large) -> InvalidArgument: the values themselves are refused;
// - anything else (class 42 undefined table or column, insufficient privilege, XX000, an unknown
//   or missing SQLSTATE) -> Internal. Those are more often the deployment than the data (a
//   missing migration, a revoked grant), so consumers retry them rather than dead-letter.
// Pure function.
absl::StatusCode StatusCodeForSqlState(std::string_view sqlstate);

// A fixed-size pool of libpqxx connections. Thread-safe. WithConnection() borrows one, runs the
// function, and converts what libpqxx throws into a Status: a broken connection, failed connect or
// commit in doubt -> Unavailable (the connection is dropped and re-dialled next time); a
// serialization failure or deadlock -> Aborted (retry the transaction); any other SQL error by
// its SQLSTATE (StatusCodeForSqlState), the message naming it ("postgres [23505]: ..."); any
// other exception (a conversion of a result, a bug) -> Internal.
class Pool {
 public:
  // Connects one connection right away so a bad DSN or a down server fails startup.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(const std::string& dsn, int size);

  absl::Status WithConnection(const std::function<void(pqxx::connection&)>& fn);

  // Runs `fn` in a transaction and commits; retries up to `attempts` times on Aborted.
  absl::Status InTransaction(const std::function<void(pqxx::work&)>& fn, int attempts = 3);

  // Records every call from now on in `registry` (metrics::StoreCallMetrics "pg": op
  // "connection" for WithConnection, "transaction" for each attempt of InTransaction; the
  // latency includes waiting for a pooled connection). Call once, before the pool is shared
  // between threads; `registry` must outlive the pool.
  void SetMetrics(metrics::Registry& registry);

 private:
  absl::Status Run(std::string_view op, const std::function<void(pqxx::connection&)>& fn);
  absl::Status CallOnce(const std::function<void(pqxx::connection&)>& fn);
  Pool(std::string dsn, int size) : dsn_(std::move(dsn)), size_(size) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Borrow();
  void Return(std::unique_ptr<pqxx::connection> conn);

  std::string dsn_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  std::unique_ptr<metrics::StoreCallMetrics> metrics_;
};

}  // namespace candor::pg
