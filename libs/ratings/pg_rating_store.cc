#include "libs/ratings/pg_rating_store.h"

namespace candor::ratings {
namespace {

absl::StatusOr<RatingPage> ToPage(absl::StatusOr<reviewdb::RatingsPage> page) {
  if (!page.ok()) return page.status();
  return RatingPage{std::move(page->aggregates), std::move(page->next)};
}

}  // namespace

absl::StatusOr<std::optional<review::RatingAggregate>> PgRatingStore::Get(const std::string& asin) {
  return db_.GetRating(asin);
}

absl::StatusOr<RatingPage> PgRatingStore::ListAll(const std::string& cursor, int limit) {
  return ToPage(db_.ListRatings(cursor, limit));
}

absl::StatusOr<RatingPage> PgRatingStore::ListChanged(absl::Duration newer_than,
                                                      absl::Duration older_than,
                                                      const std::string& cursor, int limit) {
  return ToPage(db_.ListChangedRatings(newer_than, older_than, cursor, limit));
}

}  // namespace candor::ratings
