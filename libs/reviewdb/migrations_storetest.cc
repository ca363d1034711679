// db/migrations through the operator's `migrate` command (tools/stack/migrate.sh) on a fresh
// database of the test stack's Postgres: 0003 moves a stored 'pending' review to 'held', and the
// status constraint refuses 'pending' afterwards.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/testing/stack_env.h"

namespace candor::reviewdb {
namespace {

namespace fs = std::filesystem;

std::string RepoRoot() {
  const char* root = std::getenv("CANDOR_REPO_ROOT");
  if (root == nullptr) {
    ADD_FAILURE() << "CANDOR_REPO_ROOT is not set (libs/reviewdb/CMakeLists.txt sets it)";
    return ".";
  }
  return root;
}

// The stack's DSN with its database name replaced by `database`.
std::string DsnFor(const std::string& database) {
  std::string dsn = candor::testing::PgDsn();
  return dsn.substr(0, dsn.rfind('/') + 1) + database;
}

// Runs `command` through the shell; returns its exit status and appends its output to `output`.
int RunShell(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output->append(buf, n);
  return pclose(pipe);
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    database_ = absl::StrCat("candor_migrations_test_", rng() % 1000000000);
    admin_ = std::make_unique<pqxx::connection>(candor::testing::PgDsn());
    pqxx::nontransaction(*admin_).exec("CREATE DATABASE " + database_);
    dir_ = fs::temp_directory_path() / database_;
    fs::create_directories(dir_);
  }

  void TearDown() override {
    pqxx::nontransaction(*admin_).exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    fs::remove_all(dir_);
  }

  // `migrate --dsn <fresh database> [--dir dir]`; fails the test unless it exits 0.
  std::string Migrate(const std::string& dir = "") {
    std::string out;
    std::string command =
        absl::StrCat(RepoRoot(), "/tools/stack/migrate.sh --dsn '", DsnFor(database_), "'");
    if (!dir.empty()) absl::StrAppend(&command, " --dir '", dir, "'");
    EXPECT_EQ(RunShell(command, &out), 0) << out;
    return out;
  }

  std::string database_;
  std::unique_ptr<pqxx::connection> admin_;
  fs::path dir_;
};

TEST_F(MigrationsTest, RenamesStoredPendingToHeld) {
  // The schema as it was before 0003, with a review queued for a moderator under the old name.
  for (const char* name : {"0001_reviews.sql", "0002_product_ratings_updated_at.sql"}) {
    fs::copy_file(fs::path(RepoRoot()) / "db/migrations" / name, dir_ / name);
  }
  Migrate(dir_.string());
  pqxx::connection db(DsnFor(database_));
  const char* kInsert =
      "INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, body, status, "
      "submitted_at) VALUES ($1, $1, 'B000000001', 'u', 4, 'text', $2, now())";
  {
    pqxx::work tx(db);
    tx.exec_params(kInsert, "queued", "pending");
    tx.exec_params(kInsert, "live", "active");
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
    tx.exec_params(kInsert, "held-too", "held");
    tx.commit();
  }
  try {
    pqxx::work tx(db);
    tx.exec_params(kInsert, "old-name", "pending");
    ADD_FAILURE() << "the status constraint took 'pending'";
  } catch (const pqxx::check_violation&) {
  }
  // Applied once: a second run finds nothing to do.
  EXPECT_NE(Migrate().find("up to date"), std::string::npos);
}

}  // namespace
}  // namespace candor::reviewdb
