#pragma once

#include <pqxx/pqxx>
#include <utility>

namespace candor::pg {

// A named statement that hot paths run prepared: parsed and planned once per connection instead
// of once per call. Declare them as constants next to the code that runs them.
struct Statement {
  const char* name;  // unique within the process
  const char* sql;
};

// Runs `statement` prepared on `tx`'s connection. The first use on a connection registers it
// (libpqxx defers the PREPARE to the first execution and repeats it after a reconnect); later
// uses only bind and execute.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const Statement& statement, Args&&... args) {
  tx.conn().prepare(statement.name, statement.sql);
  return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace candor::pg
