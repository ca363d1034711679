#include "libs/pg/pg_pool.h"

#include "absl/strings/str_cat.h"

namespace candor::pg {

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(const std::string& dsn, int size) {
  std::unique_ptr<Pool> pool(new Pool(dsn, size < 1 ? 1 : size));
  absl::Status ping = pool->WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
  });
  if (!ping.ok()) return ping;
  return pool;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Pool::Borrow() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  try {
    return std::make_unique<pqxx::connection>(dsn_);
  } catch (const std::exception& e) {
    Return(nullptr);
    return absl::UnavailableError(absl::StrCat("postgres connect: ", e.what()));
  }
}

void Pool::Return(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard lock(mu_);
  if (conn && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

absl::Status Pool::WithConnection(const std::function<void(pqxx::connection&)>& fn) {
  absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Borrow();
  if (!conn.ok()) return conn.status();
  absl::Status status;
  try {
    fn(**conn);
  } catch (const pqxx::broken_connection& e) {
    conn->reset();
    status = absl::UnavailableError(absl::StrCat("postgres: ", e.what()));
  } catch (const pqxx::serialization_failure& e) {
    status = absl::AbortedError(absl::StrCat("postgres: ", e.what()));
  } catch (const pqxx::deadlock_detected& e) {
    status = absl::AbortedError(absl::StrCat("postgres: ", e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    conn->reset();
    status = absl::UnavailableError(absl::StrCat("postgres commit in doubt: ", e.what()));
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("postgres: ", e.what()));
  }
  Return(std::move(*conn));
  return status;
}

absl::Status Pool::InTransaction(const std::function<void(pqxx::work&)>& fn, int attempts) {
  absl::Status s;
  for (int i = 0; i < attempts; ++i) {
    s = WithConnection([&](pqxx::connection& c) {
      pqxx::work tx(c);
      fn(tx);
      tx.commit();
    });
    if (s.code() != absl::StatusCode::kAborted) return s;
  }
  return s;
}

}  // namespace candor::pg
