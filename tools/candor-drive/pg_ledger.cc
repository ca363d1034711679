#include "tools/candor-drive/pg_ledger.h"

#include "libs/review/review_status.h"

namespace candor::drive {

absl::StatusOr<std::unique_ptr<PgLedger>> PgLedger::Connect(const std::string& dsn) {
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(dsn, 1);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<PgLedger>(new PgLedger(std::move(*pool)));
}

absl::StatusOr<std::vector<std::string>> PgLedger::ExistingReviewIds(
    const std::vector<std::string>& review_ids) {
  return db_.ExistingReviewIds(review_ids);
}

absl::StatusOr<std::map<std::string, int64_t>> PgLedger::ActiveCounts(
    const std::vector<std::string>& asins) {
  return db_.CountInStatus(asins, review::ReviewStatus::kActive);
}

absl::StatusOr<std::map<std::string, int64_t>> PgLedger::StatusCounts(
    const std::vector<std::string>& review_ids) {
  absl::StatusOr<std::map<review::ReviewStatus, int64_t>> counts = db_.CountByStatus(review_ids);
  if (!counts.ok()) return counts.status();
  std::map<std::string, int64_t> out;
  for (const auto& [status, n] : *counts) out[std::string(review::StatusName(status))] = n;
  return out;
}

absl::StatusOr<std::map<std::string, reviewdb::ReviewDecision>> PgLedger::Decisions(
    const std::vector<std::string>& review_ids) {
  std::map<std::string, reviewdb::ReviewDecision> out;
  for (const std::string& id : review_ids) {
    absl::StatusOr<std::optional<reviewdb::ReviewDecision>> d = db_.GetReviewDecision(id);
    if (!d.ok()) return d.status();
    if (*d) out.emplace(id, **std::move(d));
  }
  return out;
}

}  // namespace candor::drive
