#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::search {

// One review as the search index holds it: what SearchReviews filters, sorts and shows. The
// document id is the review id, so writing the same review twice leaves one document.
struct ReviewDocument {
  std::string review_id;
  std::string asin;
  std::string title;
  std::string body;
  int32_t rating = 0;  // 1..5
  bool verified = false;
  absl::Time created;
  // libs/helpfulness SortKey: the "helpfulness" sort. Reviews without votes carry that
  // library's key for zero votes, so they sort by recency among themselves.
  double helpfulness = 0;
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;

  bool operator==(const ReviewDocument&) const = default;
};

// A helpfulness change for a review already in the index (`review-scores`).
struct ScoreUpdate {
  std::string review_id;
  double helpfulness = 0;
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;
};

enum class SortOrder {
  kRelevance,    // BM25 over title and body; newest first among equals
  kHelpfulness,  // ReviewDocument::helpfulness, highest first; relevance among equals
  kNewest,       // created, newest first
};

// Search inside one product's reviews. Validate it with ValidateSearchRequest first.
struct SearchRequest {
  std::string asin{};
  // Words, phrases in double quotes, +required / -excluded words, a trailing * for a prefix.
  // Empty: every review of the product (a listing, and the index checks).
  std::string query;
  std::vector<int32_t> stars;      // any of these ratings; empty for all
  std::optional<bool> verified;    // only verified (true) or unverified (false) purchases
  std::optional<absl::Time> from;  // created at or after
  std::optional<absl::Time> to;    // created before
  SortOrder sort = SortOrder::kRelevance;
  int32_t page_size = kDefaultPageSize;
  std::string cursor{};  // empty for the first page; else a previous result's next_cursor
  absl::Time now{};      // the recency facet's reference time

  static constexpr int32_t kDefaultPageSize = 10;
};

// Counts over every review the query and the filters match (not only the page), so that a
// shopper sees how many reviews each further filter would leave.
struct Facets {
  std::array<int64_t, 5> stars{};  // [0] = 1 star ... [4] = 5 stars
  int64_t verified = 0;
  int64_t unverified = 0;
  int64_t last_30_days = 0;  // created within 30 days of SearchRequest::now
  int64_t last_year = 0;     // 30 to 365 days before now
  int64_t older = 0;         // more than 365 days before now (or in the future of now: never)

  bool operator==(const Facets&) const = default;
};

struct SearchHit {
  ReviewDocument review;
  double relevance = 0;  // the backend's score for the query (0 for an empty query)
  // A passage of the body around the matched words, with each match between <b> and </b>;
  // the rest of the text is HTML-escaped. The body's start when nothing matched in it.
  std::string snippet;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  int64_t total = 0;  // reviews matched (exact)
  Facets facets;
  std::string next_cursor;  // empty on the last page
};

// Limits every backend and every entry point share.
inline constexpr size_t kMaxQueryBytes = 512;
inline constexpr int32_t kMaxPageSize = 100;
// How deep pagination may go (as Elasticsearch's max_result_window): a shopper does not read
// past this, and a deep offset costs every backend linear work.
inline constexpr int64_t kMaxResultWindow = 10'000;

// INVALID_ARGUMENT naming the field for: an empty or over-long asin, a query over
// kMaxQueryBytes, not valid UTF-8 or holding control characters, a star outside 1..5, from not
// before to, a page size outside 1..kMaxPageSize. An empty query is valid here; an entry point
// that requires words checks that itself.
absl::Status ValidateSearchRequest(const SearchRequest& request);

// What every backend's Upsert checks before it writes anything: each document's review id is 32
// lower-case hex characters, its asin an Amazon standard id and its rating 1..5. INVALID_ARGUMENT
// naming the field of the first document refused, or OK.
absl::Status ValidateReviewDocuments(const std::vector<ReviewDocument>& documents);

// Where a search index is kept. Implementations are thread-safe; writes become visible to
// searches (this process's and other processes') at Commit.
class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Adds or replaces each document (by review id). INVALID_ARGUMENT, nothing written, when
  // ValidateReviewDocuments refuses them.
  virtual absl::Status Upsert(const std::vector<ReviewDocument>& documents) = 0;
  // Deletes each review's document; an id not in the index is not an error.
  virtual absl::Status Remove(const std::vector<std::string>& review_ids) = 0;
  // Changes the helpfulness of reviews in the index; returns how many were found. A review not
  // (yet) indexed is skipped: the caller keeps the score for when the review arrives.
  virtual absl::StatusOr<int64_t> UpdateScores(const std::vector<ScoreUpdate>& updates) = 0;
  // Makes every write so far durable and visible to searches.
  virtual absl::Status Commit() = 0;

  // INVALID_ARGUMENT for a request ValidateSearchRequest refuses, a cursor that is not one of
  // this request's, or a page past kMaxResultWindow. Query syntax a shopper gets wrong
  // (unbalanced quotes, stray operators) is searched as plain words, never an error.
  virtual absl::StatusOr<SearchResult> Search(const SearchRequest& request) = 0;

  // Every review id in the index, in no particular order (the I5 check against Postgres).
  virtual absl::Status ForEachReviewId(const std::function<void(std::string_view)>& fn) = 0;
  virtual absl::StatusOr<int64_t> DocumentCount() = 0;
};

}  // namespace candor::search
