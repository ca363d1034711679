#include "libs/reviewdb/reviewdb_testing.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <pqxx/pqxx>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/read_rows.h"
#include "libs/reviewdb/review_db.h"
#include "libs/testing/stack_env.h"

namespace candor::reviewdb::testing {
namespace {

constexpr const char* kReviewColumns =
    "review_id, fingerprint, asin, user_id, title, body, rating, verified_purchase, status, "
    "counted, (extract(epoch FROM submitted_at) * 1000000)::bigint";

ReviewRow ReviewFromRow(const pqxx::row& row) {
  ReviewRow r;
  r.review_id = row[0].as<std::string>();
  r.fingerprint = row[1].as<std::string>();
  r.asin = row[2].as<std::string>();
  r.user_id = row[3].as<std::string>();
  r.title = row[4].as<std::string>();
  r.body = row[5].as<std::string>();
  r.rating = row[6].as<int>();
  r.verified_purchase = row[7].as<bool>();
  r.status = review::ParseStatus(row[8].as<std::string>());
  r.counted = row[9].as<bool>();
  r.submitted_at = absl::FromUnixMicros(row[10].as<int64_t>());
  return r;
}

// The rows ReadRows read; none after a failure, which fails the test.
template <typename T>
std::vector<T> RowsOrFail(absl::StatusOr<std::vector<T>> rows) {
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return {};
  return *std::move(rows);
}

// The first of `rows`; nullopt when there is none.
template <typename T>
std::optional<T> First(std::vector<T> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

AuditRow AuditFromRow(const pqxx::row& row) {
  return AuditRow{.decision = row[0].as<std::string>(),
                  .scorer = row[1].as<std::string>(),
                  .score = row[2].as<double>(),
                  .reasons = ReasonsFromJson(row[3].as<std::string>())};
}

QueueRow QueueFromRow(const pqxx::row& row) {
  return QueueRow{.reason = row[0].as<std::string>(),
                  .state = row[1].as<std::string>(),
                  .reasons = ReasonsFromJson(row[2].as<std::string>())};
}

}  // namespace

std::string InsertReview(pqxx::transaction_base& tx, TestReview review) {
  if (review.user_id.empty()) review.user_id = candor::testing::UniqueUser();
  if (review.body.empty()) review.body = "body of " + review.user_id;
  const std::string fingerprint = review::Fingerprint(review.asin, review.user_id, review.body);
  std::string id = review::ReviewIdFromFingerprint(fingerprint);
  tx.exec_params(
      "INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, body, "
      "verified_purchase, status, counted, submitted_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())",
      id, fingerprint, review.asin, review.user_id, review.rating, review.body,
      review.verified_purchase, std::string(review::StatusName(review.status)), review.counted);
  return id;
}

std::string InsertReview(pg::Pool& pool, TestReview review) {
  std::string id;
  absl::Status s = pool.InTransaction([&](pqxx::work& tx) { id = InsertReview(tx, review); });
  EXPECT_TRUE(s.ok()) << s;
  return s.ok() ? id : "";
}

void SetStatus(pg::Pool& pool, const std::string& review_id, review::ReviewStatus status) {
  absl::Status s = pool.InTransaction([&](pqxx::work& tx) {
    tx.exec_params("UPDATE reviews SET status = $2 WHERE review_id = $1", review_id,
                   std::string(review::StatusName(status)));
  });
  EXPECT_TRUE(s.ok()) << s;
}

std::optional<ReviewRow> ReadReview(pg::Pool& pool, const std::string& review_id) {
  return First(RowsOrFail(ReadRows(
      pool, ReviewFromRow,
      absl::StrCat("SELECT ", kReviewColumns, " FROM reviews WHERE review_id = $1"), review_id)));
}

std::vector<ReviewRow> ReviewsOf(pg::Pool& pool, const std::string& asin) {
  return RowsOrFail(ReadRows(
      pool, ReviewFromRow,
      absl::StrCat("SELECT ", kReviewColumns, " FROM reviews WHERE asin = $1 ORDER BY review_id"),
      asin));
}

std::vector<AuditRow> AuditOf(pg::Pool& pool, const std::string& review_id) {
  return RowsOrFail(ReadRows(pool, AuditFromRow,
                             "SELECT decision, scorer, score, reasons::text FROM fraud_audit "
                             "WHERE review_id = $1 ORDER BY audit_id",
                             review_id));
}

void AddAuditRow(pg::Pool& pool, const std::string& review_id, const std::string& decision,
                 const std::string& reasons_json) {
  absl::Status s = pool.InTransaction([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO fraud_audit (review_id, decision, score, scorer, reasons) "
        "VALUES ($1, $2, 0.5, 'test', $3::jsonb)",
        review_id, decision, reasons_json);
  });
  EXPECT_TRUE(s.ok()) << s;
}

std::optional<QueueRow> QueueEntryOf(pg::Pool& pool, const std::string& review_id) {
  return First(RowsOrFail(
      ReadRows(pool, QueueFromRow,
               "SELECT reason, state, reasons::text FROM moderation_queue WHERE review_id = $1",
               review_id)));
}

void PutRating(pg::Pool& pool, const review::RatingAggregate& a) {
  absl::Status s = pool.InTransaction([&](pqxx::work& tx) {
    tx.exec_params("DELETE FROM product_ratings WHERE asin = $1", a.asin);
    tx.exec_params(
        "INSERT INTO product_ratings (asin, review_count, rating_sum, verified_count, "
        "verified_sum, stars_1, stars_2, stars_3, stars_4, stars_5, version) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        a.asin, a.count, a.sum, a.verified_count, a.verified_sum, a.stars[0], a.stars[1],
        a.stars[2], a.stars[3], a.stars[4], a.version);
  });
  EXPECT_TRUE(s.ok()) << s;
}

void DeleteRating(pg::Pool& pool, const std::string& asin) {
  absl::Status s = pool.InTransaction(
      [&](pqxx::work& tx) { tx.exec_params("DELETE FROM product_ratings WHERE asin = $1", asin); });
  EXPECT_TRUE(s.ok()) << s;
}

void ReviewDbFixture::SetUp() {
  auto pool = pg::Pool::Create(candor::testing::PgDsn(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  pool_ = *std::move(pool);
  db_ = std::make_unique<ReviewDb>(*pool_);
}

std::string RepoRoot() {
  const char* root = std::getenv("CANDOR_REPO_ROOT");
  if (root == nullptr) {
    ADD_FAILURE() << "CANDOR_REPO_ROOT is not set (the test's CMake entry sets it)";
    return ".";
  }
  return root;
}

ScratchDatabase::ScratchDatabase(const std::string& prefix) {
  std::mt19937_64 rng(std::random_device{}());
  name_ = absl::StrCat(prefix, rng() % 1000000000);
  try {
    pqxx::connection admin(candor::testing::PgDsn());
    pqxx::nontransaction(admin).exec("CREATE DATABASE " + name_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "CREATE DATABASE " << name_ << ": " << e.what();
  }
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection admin(candor::testing::PgDsn());
    pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "DROP DATABASE " << name_ << ": " << e.what();
  }
}

std::string ScratchDatabase::dsn() const {
  const std::string stack = candor::testing::PgDsn();
  return stack.substr(0, stack.rfind('/') + 1) + name_;
}

std::string ScratchDatabase::Migrate(const std::string& dir) const {
  std::string command = absl::StrCat(RepoRoot(), "/tools/stack/migrate.sh --dsn '", dsn(), "'");
  if (!dir.empty()) absl::StrAppend(&command, " --dir '", dir, "'");
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return output;
  }
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << command << "\n" << output;
  return output;
}

}  // namespace candor::reviewdb::testing
