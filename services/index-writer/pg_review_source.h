#pragma once

#include "libs/helpfulness/score.h"
#include "libs/reviewdb/review_db.h"
#include "services/index-writer/review_source.h"

namespace candor::index_writer {

// ReviewSource on Postgres through libs/reviewdb (ReadContent, ListActiveContent). A document's
// helpfulness is the sort key helpfulness-ranker stored for the review, or else libs/helpfulness's
// key of zero votes, so unranked reviews order by recency (the key's rule for unvoted reviews).
// Borrows `db`. Thread-safe.
class PgReviewSource final : public ReviewSource {
 public:
  PgReviewSource(reviewdb::ReviewDb& db, helpfulness::ScoreParams params)
      : db_(db), params_(params) {}

  absl::StatusOr<std::vector<SourceRow>> Read(const std::vector<std::string>& review_ids) override;
  absl::StatusOr<SourcePage> ListActive(const std::string& after, int limit) override;

 private:
  search::ReviewDocument DocumentOf(const reviewdb::ReviewContent& c) const;

  reviewdb::ReviewDb& db_;
  const helpfulness::ScoreParams params_;
};

}  // namespace candor::index_writer
