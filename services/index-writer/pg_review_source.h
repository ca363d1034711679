#pragma once

#include "libs/helpfulness/score.h"
#include "libs/reviewdb/review_db.h"
#include "services/index-writer/review_source.h"

namespace candor::index_writer {

// ReviewSource on Postgres through libs/reviewdb (ReadContent, ListActiveContent). A document's
// helpfulness is libs/helpfulness's sort key of the review's votes; until helpfulness-ranker
// keeps vote counts on the review row, every review has none, so the "helpfulness" sort orders
// by recency (the key's rule for unvoted reviews). Borrows `db`. Thread-safe.
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
