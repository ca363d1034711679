#include "gtest/gtest.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/pg_pool.h"
#include "libs/pg/statement.h"
#include "libs/testing/stack_env.h"

namespace candor::pg {
namespace {

// The pool is generic: its tests use scratch tables of their own, not the review tables (whose
// statements live in libs/reviewdb). A primary key, a CHECK and a foreign key, to provoke the
// constraint errors a store meets.
class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = Pool::Create(testing::PgDsn(), 1);
    ASSERT_TRUE(pool.ok()) << pool.status();
    ASSERT_TRUE((*pool)
                    ->InTransaction([](pqxx::work& tx) {
                      tx.exec(
                          "CREATE TABLE IF NOT EXISTS pg_pool_test_parent (key text PRIMARY KEY)");
                      tx.exec(
                          "CREATE TABLE IF NOT EXISTS pg_pool_test_item ("
                          "key text PRIMARY KEY, "
                          "version bigint NOT NULL DEFAULT 0, "
                          "amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0), "
                          "parent text REFERENCES pg_pool_test_parent (key))");
                    })
                    .ok());
  }
};

TEST_F(PgPoolTest, TransactionsCommitAndRollBack) {
  auto pool = Pool::Create(testing::PgDsn(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const std::string key = testing::UniqueAsin();
  ASSERT_TRUE((*pool)
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec_params("INSERT INTO pg_pool_test_item (key) VALUES ($1)", key);
                  })
                  .ok());
  // A throwing body rolls back and surfaces as Internal, naming the problem.
  absl::Status failed = (*pool)->InTransaction([&](pqxx::work& tx) {
    tx.exec_params("UPDATE pg_pool_test_item SET version = 99 WHERE key = $1", key);
    tx.exec("SELECT * FROM no_such_table");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  EXPECT_NE(failed.message().find("no_such_table"), std::string_view::npos);
  int64_t version = -1;
  ASSERT_TRUE((*pool)
                  ->WithConnection([&](pqxx::connection& c) {
                    pqxx::nontransaction tx(c);
                    version = tx.exec_params1(
                                    "SELECT version FROM pg_pool_test_item WHERE key = $1", key)[0]
                                  .as<int64_t>();
                    tx.exec_params("DELETE FROM pg_pool_test_item WHERE key = $1", key);
                  })
                  .ok());
  EXPECT_EQ(version, 0);
}

constexpr const char* kEchoSql = R"sql(
SELECT t, n, b FROM unnest($1::text[], $2::bigint[], $3::boolean[]) WITH ORDINALITY
  AS u (t, n, b, i) ORDER BY i)sql";

// Whether the connection holds a prepared statement of this name (the server's own view).
bool IsPreparedOnServer(pqxx::work& tx, const char* name) {
  return tx.exec_params1("SELECT count(*) FROM pg_prepared_statements WHERE name = $1", name)[0]
             .as<int>() == 1;
}

class PgStatementTest : public PgPoolTest, public ::testing::WithParamInterface<Plan> {};

// Arrays bound as one parameter each survive the round trip exactly, whatever the text holds,
// and a statement can run again on the same connection (and in later transactions), prepared
// on the server only when its plan is kPrepared.
TEST_P(PgStatementTest, StatementsTakeArrayParametersPreparedOrPlannedPerCall) {
  auto pool = Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const Statement echo{
      GetParam() == Plan::kPrepared ? "pg_pool_test_echo" : "pg_pool_test_echo_per_call", kEchoSql,
      GetParam()};
  const std::vector<std::string> texts = {"plain", R"(a "quoted" \ {brace}, comma)", "",
                                          "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"};
  const std::vector<int64_t> numbers = {1, -7, 0, 4611686018427387904};
  const std::vector<bool> flags = {true, false, true, false};
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE((*pool)
                    ->InTransaction([&](pqxx::work& tx) {
                      pqxx::result r = Exec(tx, echo, ArrayLiteral(texts), ArrayLiteral(numbers),
                                            ArrayLiteral(flags));
                      EXPECT_EQ(IsPreparedOnServer(tx, echo.name), GetParam() == Plan::kPrepared);
                      ASSERT_EQ(r.size(), texts.size());
                      for (size_t i = 0; i < texts.size(); ++i) {
                        EXPECT_EQ(r[i][0].as<std::string>(), texts[i]);
                        EXPECT_EQ(r[i][1].as<int64_t>(), numbers[i]);
                        EXPECT_EQ(r[i][2].as<bool>(), flags[i]);
                      }
                    })
                    .ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Plans, PgStatementTest,
                         ::testing::Values(Plan::kPrepared, Plan::kPerCall));

// Errors carry a code that says whether repeating can help (StatusCodeForSqlState), from real
// statements that fail the way consumers' batches do.
TEST_F(PgPoolTest, SqlErrorsMapToCodesThatSayWhetherToRetry) {
  auto pool = Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const std::string key = testing::UniqueAsin();
  auto run = [&](const std::string& sql) {
    return (*pool)->InTransaction([&](pqxx::work& tx) { tx.exec_params(sql, key); }, 1);
  };
  ASSERT_TRUE(run("INSERT INTO pg_pool_test_item (key) VALUES ($1)").ok());

  absl::Status unique = run("INSERT INTO pg_pool_test_item (key) VALUES ($1)");
  EXPECT_EQ(unique.code(), absl::StatusCode::kFailedPrecondition) << unique;
  EXPECT_NE(unique.message().find("23505"), std::string_view::npos) << unique;
  absl::Status check = run("UPDATE pg_pool_test_item SET amount = -1 WHERE key = $1");
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition) << check;
  absl::Status foreign_key =
      run("UPDATE pg_pool_test_item SET parent = 'no such parent' WHERE key = $1");
  EXPECT_EQ(foreign_key.code(), absl::StatusCode::kFailedPrecondition) << foreign_key;
  absl::Status out_of_range = run("SELECT length($1) * 100000::smallint");
  EXPECT_EQ(out_of_range.code(), absl::StatusCode::kInvalidArgument) << out_of_range;
  absl::Status bad_text = run("SELECT ($1 || 'x')::int");
  EXPECT_EQ(bad_text.code(), absl::StatusCode::kInvalidArgument) << bad_text;
  absl::Status bad_time = run("SELECT ('300000-01-01 ' || $1)::timestamptz");
  EXPECT_EQ(bad_time.code(), absl::StatusCode::kInvalidArgument) << bad_time;
  // A missing table is the deployment's fault, not the data's.
  EXPECT_EQ(run("SELECT $1 FROM no_such_table").code(), absl::StatusCode::kInternal);

  // What only the server's state produces, raised with its SQLSTATE.
  const std::vector<std::pair<std::string, absl::StatusCode>> raised = {
      {"40001", absl::StatusCode::kAborted},
      {"40P01", absl::StatusCode::kAborted},
      {"55P03", absl::StatusCode::kAborted},
      {"57014", absl::StatusCode::kDeadlineExceeded},
      {"25006", absl::StatusCode::kUnavailable},
      {"53100", absl::StatusCode::kUnavailable},
      {"57P01", absl::StatusCode::kUnavailable},
      {"58030", absl::StatusCode::kUnavailable},
      {"40003", absl::StatusCode::kUnavailable},
      {"23514", absl::StatusCode::kFailedPrecondition},
      {"22021", absl::StatusCode::kInvalidArgument},
      {"54000", absl::StatusCode::kInvalidArgument},
      {"42501", absl::StatusCode::kInternal},
      {"XX000", absl::StatusCode::kInternal},
  };
  for (const auto& [sqlstate, code] : raised) {
    const std::string sql =
        "DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '" + sqlstate + "'; END $$";
    absl::Status s = (*pool)->WithConnection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec(sql);
    });
    EXPECT_EQ(s.code(), code) << sqlstate << ": " << s;
  }
  // The connection is still good after all of them.
  EXPECT_TRUE(run("DELETE FROM pg_pool_test_item WHERE key = $1").ok());
}

TEST(PgPoolUnreachableTest, UnreachableIsUnavailable) {
  auto pool = Pool::Create("postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1", 1);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::pg
