// db/migrations through the operator's `migrate` command (tools/stack/migrate.sh) on a fresh
// database of the test stack's Postgres: 0003 moves a stored 'pending' review to 'held', and the
// status constraint refuses 'pending' afterwards; 0004 gives open queue rows the reasons of
// their latest audit row, in the stored shape readers accept; 0005 adds the re-scorer's columns
// (empty for stored rows) and queue state.
#include <filesystem>
#include <optional>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/temp_dir.h"

namespace candor::reviewdb {
namespace {

namespace fs = std::filesystem;

// Inserts a reviews row in the columns every schema since 0001 has, its review id and fingerprint
// `id`, of product B000000001 and user "u".
void InsertReview(pqxx::transaction_base& tx, const std::string& id, const std::string& status) {
  tx.exec_params(
      "INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, body, status, "
      "submitted_at) VALUES ($1, $1, 'B000000001', 'u', 4, 'text', $2, now())",
      id, status);
}

class MigrationsTest : public ::testing::Test {
 protected:
  // `migrate --dsn <fresh database> [--dir dir]`; fails the test unless it exits 0.
  std::string Migrate(const std::string& dir = "") { return database_.Migrate(dir); }

  // The schema as it was before migration `number` ("0003"): every migration of db/migrations
  // numbered below it, copied to dir_ and applied from there.
  void MigrateBefore(const std::string& number) {
    for (const fs::directory_entry& e :
         fs::directory_iterator(fs::path(testing::RepoRoot()) / "db/migrations")) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() == ".sql" && name < number)
        fs::copy_file(e.path(), dir_.path() / name);
    }
    Migrate(dir_.path().string());
  }

  testing::ScratchDatabase database_{"candor_migrations_test_"};
  candor::testing::TempDir dir_{"candor-migrations"};
};

TEST_F(MigrationsTest, RenamesStoredPendingToHeld) {
  // The schema as it was before 0003, with a review queued for a moderator under the old name.
  MigrateBefore("0003");
  pqxx::connection db(database_.dsn());
  {
    pqxx::work tx(db);
    InsertReview(tx, "queued", "pending");
    InsertReview(tx, "live", "active");
    tx.commit();
  }

  EXPECT_NE(Migrate().find("applied 0003_"), std::string::npos);
  {
    pqxx::nontransaction tx(db);
    EXPECT_EQ(
        tx.exec1("SELECT status FROM reviews WHERE review_id = 'queued'")[0].as<std::string>(),
        "held");
    EXPECT_EQ(tx.exec1("SELECT status FROM reviews WHERE review_id = 'live'")[0].as<std::string>(),
              "active");
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations WHERE version = 3")[0].as<int>(), 1);
  }
  // The constraint now takes 'held' and refuses the retired name.
  {
    pqxx::work tx(db);
    InsertReview(tx, "held-too", "held");
    tx.commit();
  }
  {
    pqxx::work tx(db);
    EXPECT_THROW(InsertReview(tx, "old-name", "pending"), pqxx::check_violation)
        << "the status constraint took 'pending'";
  }
  // Applied once: a second run finds nothing to do.
  EXPECT_NE(Migrate().find("up to date"), std::string::npos);
}

TEST_F(MigrationsTest, QueueRowsGetTheirLatestAuditReasons) {
  // The schema before 0004: a held review with two audit rows in the old shape (strings), its
  // queue row, and an active review with no queue row.
  MigrateBefore("0004");
  pqxx::connection db(database_.dsn());
  {
    pqxx::work tx(db);
    InsertReview(tx, "held", "held");
    InsertReview(tx, "live", "active");
    const char* kAudit =
        "INSERT INTO fraud_audit (review_id, decision, score, scorer, reasons) "
        "VALUES ($1, $2, 0.5, 'rules-v1', $3::jsonb)";
    tx.exec_params(kAudit, "held", "pass", R"(["short_body: 5 characters, under 20"])");
    tx.exec_params(kAudit, "held", "queue",
                   R"(["burst_24h: 6 submissions by this user in 24 h", "free text"])");
    tx.exec_params(kAudit, "live", "pass", "[]");
    tx.exec("INSERT INTO moderation_queue (review_id, reason) VALUES ('held', 'summary')");
    tx.commit();
  }

  EXPECT_NE(Migrate().find("applied 0004_"), std::string::npos);
  pqxx::nontransaction tx(db);
  pqxx::row q = tx.exec1("SELECT reason, reasons::text FROM moderation_queue");
  EXPECT_EQ(q[0].as<std::string>(), "summary");  // the summary stays
  const std::vector<review::Reason> reasons = ReasonsFromJson(q[1].as<std::string>());
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].code, "burst_24h");
  EXPECT_EQ(reasons[0].text, "6 submissions by this user in 24 h");
  EXPECT_EQ(reasons[1].code, "");
  EXPECT_EQ(reasons[1].text, "free text");
  // New queue rows without reasons get the empty array.
  tx.exec("INSERT INTO moderation_queue (review_id, reason) VALUES ('live', 's')");
  EXPECT_EQ(tx.exec1("SELECT reasons::text FROM moderation_queue WHERE review_id = 'live'")[0]
                .as<std::string>(),
            "[]");
  EXPECT_NE(Migrate().find("up to date"), std::string::npos);
}

TEST_F(MigrationsTest, RescoreColumnsAndQueueStateKeepStoredRows) {
  // The schema before 0005: a held review with its open queue row.
  MigrateBefore("0005");
  pqxx::connection db(database_.dsn());
  {
    pqxx::work tx(db);
    InsertReview(tx, "held", "held");
    tx.exec("INSERT INTO moderation_queue (review_id, reason) VALUES ('held', 'summary')");
    tx.commit();
  }

  EXPECT_NE(Migrate().find("applied 0005_"), std::string::npos);
  {
    pqxx::nontransaction tx(db);
    // Rows stored before know no address, device or claim.
    pqxx::row r = tx.exec1(
        "SELECT client_ip, device_id, account_created_at IS NULL FROM reviews "
        "WHERE review_id = 'held'");
    EXPECT_EQ(r[0].as<std::string>(), "");
    EXPECT_EQ(r[1].as<std::string>(), "");
    EXPECT_TRUE(r[2].as<bool>());
    EXPECT_EQ(tx.exec1("SELECT state FROM moderation_queue")[0].as<std::string>(), "open");
  }
  {
    pqxx::work tx(db);
    tx.exec_params("UPDATE moderation_queue SET state = $1", std::string(kQueueStateRescored));
    tx.commit();
  }
  {
    pqxx::work tx(db);
    EXPECT_THROW(tx.exec("UPDATE moderation_queue SET state = 'withdrawn'"), pqxx::check_violation)
        << "the state constraint took 'withdrawn'";
  }
  EXPECT_NE(Migrate().find("up to date"), std::string::npos);
}

TEST_F(MigrationsTest, RanksMoveToTheirOwnTable) {
  // The schema before 0007: a ranked review with votes, a removed one that had votes and lost its
  // key, and one the ranker never saw.
  MigrateBefore("0007");
  pqxx::connection db(database_.dsn());
  {
    pqxx::work tx(db);
    const char* kInsert =
        "INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, body, status, "
        "submitted_at, helpful_votes, total_votes, sort_key) "
        "VALUES ($1, $1, 'B000000001', 'u', 4, 'text', $2, now(), $3, $4, $5)";
    tx.exec_params(kInsert, "ranked", "active", 3, 5, std::optional<double>(0.25));
    tx.exec_params(kInsert, "removed", "removed", 1, 1, std::optional<double>());
    tx.exec_params(kInsert, "unseen", "active", 0, 0, std::optional<double>());
    tx.commit();
  }

  EXPECT_NE(Migrate().find("applied 0007_"), std::string::npos);
  pqxx::nontransaction tx(db);
  pqxx::result ranks = tx.exec(
      "SELECT review_id, asin, helpful_votes, total_votes, sort_key FROM review_ranks "
      "ORDER BY review_id");
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_EQ(ranks[0][0].as<std::string>(), "ranked");
  EXPECT_EQ(ranks[0][1].as<std::string>(), "B000000001");
  EXPECT_EQ(ranks[0][2].as<int64_t>(), 3);
  EXPECT_EQ(ranks[0][3].as<int64_t>(), 5);
  EXPECT_EQ(ranks[0][4].as<double>(), 0.25);
  EXPECT_EQ(ranks[1][0].as<std::string>(), "removed");
  EXPECT_EQ(ranks[1][2].as<int64_t>(), 1);
  EXPECT_TRUE(ranks[1][4].is_null());
  // The columns left reviews, and the counts are checked where they now live.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                     "'reviews' AND column_name IN ('helpful_votes', 'total_votes', 'sort_key')")[0]
                .as<int>(),
            0);
  EXPECT_THROW(tx.exec("UPDATE review_ranks SET helpful_votes = 9 WHERE review_id = 'ranked'"),
               pqxx::check_violation)
      << "review_ranks took more helpful than total votes";
  EXPECT_NE(Migrate().find("up to date"), std::string::npos);
}

}  // namespace
}  // namespace candor::reviewdb
