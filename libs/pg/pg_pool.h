#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace candor::pg {

// A fixed-size pool of libpqxx connections. Thread-safe. WithConnection() borrows one, runs the
// function, and converts what libpqxx throws into a Status: a broken connection or failed
// connect -> Unavailable (the connection is dropped and re-dialled next time); a serialization
// failure or deadlock -> Aborted (retry the transaction); anything else -> Internal.
class Pool {
 public:
  // Connects one connection right away so a bad DSN or a down server fails startup.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(const std::string& dsn, int size);

  absl::Status WithConnection(const std::function<void(pqxx::connection&)>& fn);

  // Runs `fn` in a transaction and commits; retries up to `attempts` times on Aborted.
  absl::Status InTransaction(const std::function<void(pqxx::work&)>& fn, int attempts = 3);

 private:
  Pool(std::string dsn, int size) : dsn_(std::move(dsn)), size_(size) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Borrow();
  void Return(std::unique_ptr<pqxx::connection> conn);

  std::string dsn_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
};

}  // namespace candor::pg
