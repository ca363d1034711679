#include "libs/pg/pg_pool.h"

#include "absl/strings/str_cat.h"

namespace candor::pg {

absl::StatusCode StatusCodeForSqlState(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return absl::StatusCode::kInternal;
  const std::string_view cls = sqlstate.substr(0, 2);
  // Transient: the server, the network or the standby we reached, not the statement.
  if (cls == "08" || cls == "53" || cls == "58" || sqlstate == "25006" || sqlstate == "40003" ||
      sqlstate.starts_with("57P")) {
    return absl::StatusCode::kUnavailable;
  }
  if (cls == "40" || sqlstate == "55P03") return absl::StatusCode::kAborted;
  if (sqlstate == "57014") return absl::StatusCode::kDeadlineExceeded;
  // Deterministic: the same rows against the same state fail the same way.
  if (cls == "23") return absl::StatusCode::kFailedPrecondition;
  if (cls == "22" || cls == "54") return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;
}

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

void Pool::SetMetrics(metrics::Registry& registry) {
  metrics_ = std::make_unique<metrics::StoreCallMetrics>(registry, "pg");
}

absl::Status Pool::WithConnection(const std::function<void(pqxx::connection&)>& fn) {
  return Run("connection", fn);
}

absl::Status Pool::Run(std::string_view op, const std::function<void(pqxx::connection&)>& fn) {
  const absl::Time start = absl::Now();
  absl::Status status = CallOnce(fn);
  if (metrics_ != nullptr) metrics_->Record(op, status, absl::Now() - start);
  return status;
}

absl::Status Pool::CallOnce(const std::function<void(pqxx::connection&)>& fn) {
  absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Borrow();
  if (!conn.ok()) return conn.status();
  absl::Status status;
  // libpqxx 6 throws the connection and transaction-rollback errors as classes without a
  // SQLSTATE, so those are told apart by type; every other server error carries its SQLSTATE.
  try {
    fn(**conn);
  } catch (const pqxx::broken_connection& e) {
    conn->reset();
    status = absl::UnavailableError(absl::StrCat("postgres: ", e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    conn->reset();
    status = absl::UnavailableError(absl::StrCat("postgres commit in doubt: ", e.what()));
  } catch (const pqxx::statement_completion_unknown& e) {
    status = absl::UnavailableError(absl::StrCat("postgres statement in doubt: ", e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    // Serialization failure, deadlock: the server rolled back; the same transaction may pass.
    status = absl::AbortedError(absl::StrCat("postgres: ", e.what()));
  } catch (const pqxx::sql_error& e) {
    status = absl::Status(StatusCodeForSqlState(e.sqlstate()),
                          absl::StrCat("postgres [", e.sqlstate(), "]: ", e.what()));
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("postgres: ", e.what()));
  }
  Return(std::move(*conn));
  return status;
}

absl::Status Pool::InTransaction(const std::function<void(pqxx::work&)>& fn, int attempts) {
  absl::Status s;
  for (int i = 0; i < attempts; ++i) {
    s = Run("transaction", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      fn(tx);
      tx.commit();
    });
    if (s.code() != absl::StatusCode::kAborted) return s;
  }
  return s;
}

}  // namespace candor::pg
