#include "gtest/gtest.h"
#include "libs/pg/pg_pool.h"
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

TEST(PgPoolTest, UnreachableIsUnavailable) {
  auto pool = Pool::Create("postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1", 1);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::pg
