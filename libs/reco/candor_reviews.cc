#include "libs/reco/candor_reviews.h"

#include "absl/strings/str_cat.h"
#include "libs/pg/pg_pool.h"

namespace candor::reco {

absl::StatusOr<InteractionLog> LoadCandorReviews(reviewdb::ReviewDb& db, LoadReport* report,
                                                 std::ostream* progress, int page) {
  InteractionLog log;
  std::string after;
  int64_t read = 0;
  for (;;) {
    absl::StatusOr<std::vector<reviewdb::ReviewInteraction>> rows =
        db.ListActiveInteractions(after, page);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (const reviewdb::ReviewInteraction& r : *rows) {
      log.Add(log.InternUser(r.user_id), log.InternItem(r.asin), static_cast<float>(r.rating),
              absl::ToUnixSeconds(r.submitted_at));
      if (++read % 100000 == 0 && progress != nullptr) {
        *progress << "reviews read from Postgres: " << read << "\n";
      }
    }
    after = rows->back().review_id;
  }
  if (report != nullptr) {
    report->source = "postgres (active reviews)";
    report->lines = read;
    report->interactions = read;
  }
  if (read == 0) return absl::InvalidArgumentError("postgres: no active review to learn from");
  return log;
}

absl::StatusOr<InteractionLog> LoadSource(const DataSource& source, const LoadOptions& options,
                                          LoadReport* report, std::ostream* progress) {
  if (absl::Status s = ValidateDataSource(source); !s.ok()) return s;
  if (source.pg_dsn.empty()) return LoadInteractions(source, options, report);
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(source.pg_dsn, 1);
  if (!pool.ok()) return pool.status();
  reviewdb::ReviewDb db(**pool);
  return LoadCandorReviews(db, report, progress);
}

}  // namespace candor::reco
