#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/search/search_index.h"

// The Elasticsearch / OpenSearch REST API as Candor speaks it: the bodies ElasticsearchIndex
// sends and the parsers of what the server answers, as pure functions (no I/O), so unit tests
// check them against the documented API without a server. Requests use only what Elasticsearch
// 7.10+ / 8 and OpenSearch 1 / 2 share (README.md, "Elasticsearch layout").
namespace candor::search::es {

// Field names of a review document (`_source` and the mapping).
inline constexpr char kReviewId[] = "review_id";
inline constexpr char kAsin[] = "asin";
inline constexpr char kTitle[] = "title";
inline constexpr char kBody[] = "body";
inline constexpr char kRating[] = "rating";
inline constexpr char kVerified[] = "verified_purchase";
inline constexpr char kCreatedAt[] = "created_at";  // date_nanos: filters, sort, recency facets
inline constexpr char kCreatedNs[] = "created_ns";  // exact round trip of ReviewDocument::created
inline constexpr char kHelpfulness[] = "helpfulness_score";
inline constexpr char kHelpfulVotes[] = "helpful_votes";
inline constexpr char kTotalVotes[] = "total_votes";

// Rows per page of ForEachReviewId.
inline constexpr int kIdsPageSize = 1000;

// INVALID_ARGUMENT naming the index unless `name` is a valid Elasticsearch index name: 1..255
// bytes, lower case, none of \ / * ? " < > | , # : or a space, not starting with - _ +, not
// "." or "..".
absl::Status ValidateIndexName(absl::string_view name);

// The body of `PUT /<index>` (create index API): settings (refresh_interval 1s, the english
// analyzer on title and body, each with an unstemmed `.exact` sub-field for "phrases") and a
// strict mapping of the fields above.
std::string IndexDefinition();

// FAILED_PRECONDITION naming the field when an existing index's mapping (the body of
// `GET /<index>/_mapping`) lacks one of the fields Candor searches or gives it another type.
absl::Status CheckMapping(absl::string_view index, absl::string_view mapping_response);

// The review as its `_source` document.
std::string SourceJson(const ReviewDocument& d);

// NDJSON bodies of `POST /<index>/_bulk` (each line ends with '\n'). The document id is the
// review id, so writing a review twice replaces its one document and deleting an absent id is a
// no-op.
std::string BulkIndexBody(const std::vector<ReviewDocument>& documents);  // `index` actions
std::string BulkDeleteBody(const std::vector<std::string>& review_ids);   // `delete` actions
// `update` actions with a partial `doc` of the score fields and no upsert: an id not indexed
// fails with document_missing_exception (404), which UpdateScores counts as not found.
std::string BulkScoreBody(const std::vector<ScoreUpdate>& updates);

// One item of a bulk response.
struct BulkItem {
  std::string action;  // "index", "delete", "update"
  std::string id;
  int status = 0;
  std::string result;      // "created", "updated", "deleted", "not_found", "noop"
  std::string error_type;  // empty when the item succeeded
  std::string error_reason;
};
// The items of a bulk response, in request order. INTERNAL when the body is not a bulk
// response.
absl::StatusOr<std::vector<BulkItem>> ParseBulkResponse(absl::string_view body);

// A shopper's query (SearchRequest::query, Xapian's syntax: words ANDed, "phrases", +required,
// -excluded, AND / OR / NOT, trailing *) as a simple_query_string query string. Syntax that
// does not parse (an unbalanced quote or bracket, an operator with nothing to apply to) comes
// back as plain words with `plain` set, as the Xapian backend falls back; characters that are
// operators to Elasticsearch but not to shoppers (| ~ \) are word separators.
struct TextQuery {
  std::string text;
  bool plain = false;
};
TextQuery TranslateShopperQuery(absl::string_view query);

// The body of `POST /<index>/_search` for one page: the product and filters as bool filters,
// the words as simple_query_string over title^2 and body (english; phrases on `.exact`), exact
// total, track_scores, the three sorts with review_id as the last tie-break, aggregations for the
// facets (terms on rating and verified_purchase, filters for recency relative to request.now)
// and a highlight of the body. `from` + `size` stay within kMaxResultWindow.
std::string SearchBody(const SearchRequest& request, int64_t from, int64_t size);

// The hits, exact total and facets of a search response (next_cursor is left to the caller).
// Snippets: the highlighted fragment HTML-escaped (& < >) with matches in <b>...</b>, "..." where
// the body was cut. UNAVAILABLE when shards failed or the search timed out (the counts would not
// be exact); INTERNAL when the body is not a search response.
absl::StatusOr<SearchResult> ParseSearchResponse(absl::string_view body, bool words);

// `POST /<index>/_search` for one page of review ids, in review_id order after `after` (empty:
// from the start), using search_after: it has no 10,000-result window.
std::string IdsPageBody(absl::string_view after, int size);
// The ids of such a page.
absl::StatusOr<std::vector<std::string>> ParseIdsPage(absl::string_view body);

// The `count` of a `GET /<index>/_count` response.
absl::StatusOr<int64_t> ParseCount(absl::string_view body);

// The status an HTTP error answer from Elasticsearch maps to, its message naming `what` (the
// operation), the HTTP status and Elasticsearch's error type and reason:
// 404 NOT_FOUND; 401 / 403 PERMISSION_DENIED; 408 / 429 (queue full) and 5xx UNAVAILABLE
// (worth a retry); 409 ABORTED; any other 4xx INVALID_ARGUMENT; anything else INTERNAL.
// OK for 2xx.
absl::Status ErrorStatus(long http_status, absl::string_view body,  // NOLINT(google-runtime-int)
                         absl::string_view what);

// Elasticsearch's error type in an error body ("index_not_found_exception"), or "".
std::string ErrorType(absl::string_view body);

}  // namespace candor::search::es
