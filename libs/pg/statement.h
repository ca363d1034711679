#pragma once

#include <pqxx/pqxx>
#include <utility>

namespace candor::pg {

// How the server plans a statement.
enum class Plan {
  // Prepared once per connection: later calls only bind and execute, and the server may settle
  // on one generic plan (after five calls, when it costs no more than the custom ones).
  kPrepared,
  // Parsed and planned on every call with that call's parameters: for a statement whose best
  // plan changes with the data, e.g. one that looks rows up by an array of keys in a table that
  // grows. A generic plan made while `reviews` held a thousand rows kept scanning it whole at
  // 80,000 (bench/README.md); a fresh plan sees the table's current size. Costs a plan per call
  // (well under a millisecond for one batch statement).
  kPerCall,
};

// A named statement. Declare them as constants next to the code that runs them.
struct Statement {
  const char* name;  // unique within the process
  const char* sql;
  Plan plan = Plan::kPrepared;
};

// Runs `statement` on `tx`'s connection with `args` bound as its parameters. A kPrepared one is
// registered on first use per connection (libpqxx defers the PREPARE to the first execution and
// repeats it after a reconnect); a kPerCall one is sent with its parameters each time
// (PQexecParams).
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const Statement& statement, Args&&... args) {
  if (statement.plan == Plan::kPerCall) {
    return tx.exec_params(statement.sql, std::forward<Args>(args)...);
  }
  tx.conn().prepare(statement.name, statement.sql);
  return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace candor::pg
