#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/search/es_requests.h"
#include "libs/search/http_client.h"
#include "libs/search/search_index.h"

namespace candor::search {

// The search index on an Elasticsearch / OpenSearch cluster over its REST API (design.md 2:
// production's search), with the same answers to the same SearchRequest as XapianSearchIndex:
// english analysis, filters, exact facets (aggregations), three sorts, the shared offset cursor
// and highlighted snippets (README.md, "Elasticsearch layout"; the requests are
// es_requests.h's).
//
// Writes go through the _bulk API with the review id as the document id (idempotent); scores
// are partial updates; Commit refreshes the index so every write so far is searchable (bulk
// writes are durable once acknowledged: the translog). One process writes (index-writer,
// Mode::kWrite, which creates the index with Candor's mapping when absent); any number search
// (Mode::kRead: writes are FAILED_PRECONDITION). Thread-safe: each call is one or more HTTP
// requests on the client's kept-alive connections.
class ElasticsearchIndex final : public SearchIndex {
 public:
  enum class Mode { kRead, kWrite };
  struct Options {
    std::string url;    // e.g. "http://127.0.0.1:9200"; user:password@ for basic auth
    std::string index;  // the index (or an alias of it)
    Mode mode = Mode::kRead;
    int connections = 4;  // kept-alive HTTP connections (one per concurrent caller)
    absl::Duration timeout = absl::Seconds(5);
  };

  // Checks that the cluster answers (UNAVAILABLE naming the URL when it does not,
  // INVALID_ARGUMENT for a bad URL or index name). kWrite creates the index when absent and
  // refuses an existing one whose mapping lacks Candor's fields (FAILED_PRECONDITION). kRead
  // accepts a missing index: searches are UNAVAILABLE naming it until index-writer creates it.
  static absl::StatusOr<std::unique_ptr<ElasticsearchIndex>> Open(const Options& options);

  absl::Status Upsert(const std::vector<ReviewDocument>& documents) override;
  absl::Status Remove(const std::vector<std::string>& review_ids) override;
  absl::StatusOr<int64_t> UpdateScores(const std::vector<ScoreUpdate>& updates) override;
  absl::Status Commit() override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) override;
  absl::Status ForEachReviewId(const std::function<void(std::string_view)>& fn) override;
  absl::StatusOr<int64_t> DocumentCount() override;

  // Deletes the index (tests and a full rebuild). An absent index is not an error.
  absl::Status DeleteIndex();

  const std::string& index() const { return index_; }

 private:
  ElasticsearchIndex(std::unique_ptr<HttpClient> http, std::string index, Mode mode)
      : http_(std::move(http)), index_(std::move(index)), mode_(mode) {}

  absl::Status CreateOrCheckIndex();
  // Sends one _bulk body and returns its items (the request's own failure as a status).
  absl::StatusOr<std::vector<es::BulkItem>> SendBulk(const std::string& body,
                                                     absl::string_view what);
  // An HTTP error answer, a missing index told as UNAVAILABLE naming it.
  absl::Status Failed(const HttpResponse& response, absl::string_view what) const;
  absl::Status WritesAllowed() const;

  const std::unique_ptr<HttpClient> http_;
  const std::string index_;
  const Mode mode_;
  std::atomic<bool> dirty_{false};  // written since the last Commit's refresh
};

}  // namespace candor::search
