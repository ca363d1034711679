#pragma once

#include <memory>
#include <string>

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "tools/candor-drive/freshness.h"

namespace candor::drive {

// ReviewLedger over the `reviews` table, read-only, through reviewdb::ReviewDb (the tables' one
// owner), on one connection. Not thread-safe beyond what pg::Pool provides.
class PgLedger final : public ReviewLedger {
 public:
  // Connects now, so a bad DSN fails before the run's figures are printed.
  static absl::StatusOr<std::unique_ptr<PgLedger>> Connect(const std::string& dsn);

  absl::StatusOr<std::vector<std::string>> ExistingReviewIds(
      const std::vector<std::string>& review_ids) override;
  absl::StatusOr<std::map<std::string, int64_t>> ActiveCounts(
      const std::vector<std::string>& asins) override;
  absl::StatusOr<std::map<std::string, int64_t>> StatusCounts(
      const std::vector<std::string>& review_ids) override;

  // The stored decision (status, latest audit row, reasons) of every review of `review_ids`
  // that has a row, by id; one read per review.
  absl::StatusOr<std::map<std::string, reviewdb::ReviewDecision>> Decisions(
      const std::vector<std::string>& review_ids);

  // The helpful / total counts of every voted review of `asins` beside the vote ledger's sums
  // (reviewdb::ReviewDb::CheckVoteCounts): the vote replay's check, and I4's.
  absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> VoteCounts(
      const std::vector<std::string>& asins) {
    return db_.CheckVoteCounts(asins);
  }

 private:
  explicit PgLedger(std::unique_ptr<pg::Pool> pool) : pool_(std::move(pool)), db_(*pool_) {}
  std::unique_ptr<pg::Pool> pool_;
  reviewdb::ReviewDb db_;  // borrows *pool_
};

}  // namespace candor::drive
