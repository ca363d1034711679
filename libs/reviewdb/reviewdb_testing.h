#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/pg/pg_pool.h"
#include "libs/review/rating_aggregate.h"
#include "libs/review/reason.h"
#include "libs/review/review_status.h"
#include "libs/reviewdb/review_db.h"

// Tests only: rows of the review tables written and read directly, for tests that set up a state
// no service reaches on its own (a review already removed, a corrupt ledger) or check what a
// service stored. Each helper runs one statement on `pool` (or in `tx`) and records a gtest
// failure when it fails; none throws. Thread-safe as pg::Pool is.
namespace candor::reviewdb::testing {

// A reviews row to insert. Defaults make a valid row; the fingerprint and review id are derived
// from asin, user and body as the gateway derives them.
struct TestReview {
  std::string asin{};     // required
  std::string user_id{};  // default: a fresh candor::testing::UniqueUser()
  std::string body{};     // default: "body of <user_id>"
  int rating = 5;
  bool verified_purchase = false;
  review::ReviewStatus status = review::ReviewStatus::kActive;
  bool counted = false;
};

// Inserts `review` (submitted now) and returns its review id; "" after a failure.
std::string InsertReview(pg::Pool& pool, TestReview review);
// The same inside the caller's open transaction (to hold the row uncommitted); throws what
// libpqxx throws.
std::string InsertReview(pqxx::transaction_base& tx, TestReview review);

// Sets the stored status of `review_id`, whatever it was (unlike ReviewDb::Transition).
void SetStatus(pg::Pool& pool, const std::string& review_id, review::ReviewStatus status);

// A reviews row as stored.
struct ReviewRow {
  std::string review_id, fingerprint, asin, user_id, title, body;
  int rating = 0;
  bool verified_purchase = false;
  std::optional<review::ReviewStatus> status;  // nullopt: a value review::ParseStatus refuses
  bool counted = false;
  absl::Time submitted_at;  // to the microsecond
};

// The row of `review_id`; nullopt when it is not stored.
std::optional<ReviewRow> ReadReview(pg::Pool& pool, const std::string& review_id);
// Every row of `asin`, in review id order.
std::vector<ReviewRow> ReviewsOf(pg::Pool& pool, const std::string& asin);

// A fraud_audit row.
struct AuditRow {
  std::string decision, scorer;
  double score = 0;
  std::vector<review::Reason> reasons;  // read by ReasonsFromJson
};
// The fraud_audit rows of `review_id`, oldest first.
std::vector<AuditRow> AuditOf(pg::Pool& pool, const std::string& review_id);
// Appends a fraud_audit row for `review_id` with `reasons_json` stored as given (any shape,
// e.g. the plain strings of rows written before reasons had structure).
void AddAuditRow(pg::Pool& pool, const std::string& review_id, const std::string& decision,
                 const std::string& reasons_json);

// A moderation_queue row.
struct QueueRow {
  std::string reason, state;
  std::vector<review::Reason> reasons;  // read by ReasonsFromJson
};
// The moderation_queue row of `review_id`; nullopt when it has none.
std::optional<QueueRow> QueueEntryOf(pg::Pool& pool, const std::string& review_id);

// A fixture for tests of ReviewDb itself: `pool_` (two connections) on the test stack's
// Postgres and `db_` on it, both made by SetUp.
class ReviewDbFixture : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<ReviewDb> db_;
};

// Writes `aggregate` as the product_ratings row of aggregate.asin (counts, histogram and version
// as given), replacing any row it had.
void PutRating(pg::Pool& pool, const review::RatingAggregate& aggregate);
// Deletes the product_ratings row of `asin`, if any.
void DeleteRating(pg::Pool& pool, const std::string& asin);

// The repository's root, from $CANDOR_REPO_ROOT (set by the CMake entry of a test that reads
// the repo's files); records a failure and returns "." when it is not set.
std::string RepoRoot();

// A database of its own on the test stack's Postgres, for a test that must see every row (a
// check over all products): created empty by the constructor, dropped with its connections by
// the destructor. Failures are recorded as gtest failures.
class ScratchDatabase {
 public:
  // The name is `prefix` and a random number.
  explicit ScratchDatabase(const std::string& prefix);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  // The stack's DSN with this database's name.
  std::string dsn() const;
  // Runs the operator's migrate command (tools/stack/migrate.sh under $CANDOR_REPO_ROOT, which
  // the test's CMake entry sets) on this database, from `dir` (default: the repo's
  // db/migrations); returns its output and records a failure unless it exits 0.
  std::string Migrate(const std::string& dir = "") const;

 private:
  std::string name_;
};

}  // namespace candor::reviewdb::testing
