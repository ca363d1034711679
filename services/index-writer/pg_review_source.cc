#include "services/index-writer/pg_review_source.h"

namespace candor::index_writer {

search::ReviewDocument PgReviewSource::DocumentOf(const reviewdb::ReviewContent& c) const {
  search::ReviewDocument d;
  d.review_id = c.review_id;
  d.asin = c.asin;
  d.title = c.title;
  d.body = c.body;
  d.rating = c.rating;
  d.verified = c.verified_purchase;
  d.created = c.submitted_at;
  // The counts and key the ranker keeps on the row: a review-scores message that arrived before
  // the review was indexed is not lost, its values are read here. Not yet ranked: the key of
  // the row's counts (zero votes), which orders unvoted reviews by recency.
  d.helpful_votes = c.helpful_votes;
  d.total_votes = c.total_votes;
  d.helpfulness = c.sort_key.value_or(
      helpfulness::SortKey(d.helpful_votes, d.total_votes, d.verified, d.created, params_));
  return d;
}

absl::StatusOr<std::vector<SourceRow>> PgReviewSource::Read(
    const std::vector<std::string>& review_ids) {
  absl::StatusOr<std::vector<reviewdb::ReviewContent>> rows = db_.ReadContent(review_ids);
  if (!rows.ok()) return rows.status();
  std::vector<SourceRow> out;
  out.reserve(rows->size());
  for (const reviewdb::ReviewContent& c : *rows) out.push_back({DocumentOf(c), c.status});
  return out;
}

absl::StatusOr<SourcePage> PgReviewSource::ListActive(const std::string& after, int limit) {
  absl::StatusOr<std::vector<reviewdb::ReviewContent>> rows = db_.ListActiveContent(after, limit);
  if (!rows.ok()) return rows.status();
  SourcePage page;
  page.documents.reserve(rows->size());
  for (const reviewdb::ReviewContent& c : *rows) page.documents.push_back(DocumentOf(c));
  if (static_cast<int>(rows->size()) == limit) page.next_after = rows->back().review_id;
  return page;
}

}  // namespace candor::index_writer
