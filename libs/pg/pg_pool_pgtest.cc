#include "gtest/gtest.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/pg_pool.h"
#include "libs/pg/statement.h"
#include "libs/testing/stack_env.h"

namespace candor::pg {
namespace {

TEST(PgPoolTest, TransactionsCommitAndRollBack) {
  auto pool = Pool::Create(testing::PgDsn(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  std::string asin = testing::UniqueAsin();
  ASSERT_TRUE((*pool)
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec_params("INSERT INTO product_ratings (asin) VALUES ($1)", asin);
                  })
                  .ok());
  // A throwing body rolls back and surfaces as Internal, naming the problem.
  absl::Status failed = (*pool)->InTransaction([&](pqxx::work& tx) {
    tx.exec_params("UPDATE product_ratings SET version = 99 WHERE asin = $1", asin);
    tx.exec("SELECT * FROM no_such_table");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  EXPECT_NE(failed.message().find("no_such_table"), std::string_view::npos);
  int64_t version = -1;
  ASSERT_TRUE((*pool)
                  ->WithConnection([&](pqxx::connection& c) {
                    pqxx::nontransaction tx(c);
                    version = tx.exec_params1("SELECT version FROM product_ratings WHERE asin = $1",
                                              asin)[0]
                                  .as<int64_t>();
                    tx.exec_params("DELETE FROM product_ratings WHERE asin = $1", asin);
                  })
                  .ok());
  EXPECT_EQ(version, 0);
}

// Arrays bound as one parameter each survive the round trip exactly, whatever the text holds,
// and a prepared statement can run again on the same connection (and in later transactions).
TEST(PgPoolTest, PreparedStatementsTakeArrayParameters) {
  auto pool = Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  constexpr Statement kEcho{"pg_pool_test_echo", R"sql(
SELECT t, n, b FROM unnest($1::text[], $2::bigint[], $3::boolean[]) WITH ORDINALITY
  AS u (t, n, b, i) ORDER BY i)sql"};
  const std::vector<std::string> texts = {"plain", R"(a "quoted" \ {brace}, comma)", "",
                                          "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"};
  const std::vector<int64_t> numbers = {1, -7, 0, 4611686018427387904};
  const std::vector<bool> flags = {true, false, true, false};
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE((*pool)
                    ->InTransaction([&](pqxx::work& tx) {
                      pqxx::result r = ExecPrepared(tx, kEcho, ArrayLiteral(texts),
                                                    ArrayLiteral(numbers), ArrayLiteral(flags));
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

// Errors carry a code that says whether repeating can help (StatusCodeForSqlState), from real
// statements that fail the way consumers' batches do.
TEST(PgPoolTest, SqlErrorsMapToCodesThatSayWhetherToRetry) {
  auto pool = Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const std::string asin = testing::UniqueAsin();
  auto run = [&](const std::string& sql) {
    return (*pool)->InTransaction([&](pqxx::work& tx) { tx.exec_params(sql, asin); }, 1);
  };
  ASSERT_TRUE(run("INSERT INTO product_ratings (asin) VALUES ($1)").ok());

  absl::Status unique = run("INSERT INTO product_ratings (asin) VALUES ($1)");
  EXPECT_EQ(unique.code(), absl::StatusCode::kFailedPrecondition) << unique;
  EXPECT_NE(unique.message().find("23505"), std::string_view::npos) << unique;
  absl::Status check = run("UPDATE product_ratings SET review_count = -1 WHERE asin = $1");
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition) << check;
  absl::Status foreign_key = run(
      "INSERT INTO fraud_audit (review_id, decision, score, scorer) VALUES ($1, 'pass', 0, 't')");
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
    absl::Status s = (*pool)->WithConnection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec("DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '" + sqlstate + "'; END $$");
    });
    EXPECT_EQ(s.code(), code) << sqlstate << ": " << s;
  }
  // The connection is still good after all of them.
  EXPECT_TRUE(run("DELETE FROM product_ratings WHERE asin = $1").ok());
}

TEST(PgPoolTest, UnreachableIsUnavailable) {
  auto pool = Pool::Create("postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1", 1);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::pg
