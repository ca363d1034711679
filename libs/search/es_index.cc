#include "libs/search/es_index.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/review/validation.h"
#include "libs/search/search_request.h"

namespace candor::search {
namespace {

// Actions per _bulk request: a few hundred reviews (about 1 MB), well under the 100 MB
// http.max_content_length, and a rebuild page of 1,000 goes in a few requests.
constexpr size_t kBulkChunk = 500;

constexpr char kIndexNotFound[] = "index_not_found_exception";

// The items of `all` in chunks of kBulkChunk.
template <typename T, typename Fn>
absl::Status ForEachChunk(const std::vector<T>& all, Fn&& fn) {
  for (size_t at = 0; at < all.size(); at += kBulkChunk) {
    const auto end =
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + kBulkChunk));
    if (absl::Status s = fn(std::vector<T>(all.begin() + static_cast<std::ptrdiff_t>(at), end));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// A failed item as a status naming the review and Elasticsearch's error type and reason, its
// code as ErrorStatus maps the item's HTTP status.
absl::Status ItemError(const es::BulkItem& item, absl::string_view what) {
  absl::StatusCode code = es::ErrorStatus(item.status, "", what).code();
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kInternal;
  return absl::Status(
      code, absl::StrCat(what, ": review ", item.id, ": Elasticsearch answered ", item.status, " ",
                         item.error_type, ": ", item.error_reason));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ElasticsearchIndex>> ElasticsearchIndex::Open(
    const Options& options) {
  if (absl::Status s = es::ValidateIndexName(options.index); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<HttpClient>> http =
      HttpClient::Create({.base_url = options.url,
                          .connect_timeout = std::min(options.timeout, absl::Seconds(2)),
                          .request_timeout = options.timeout,
                          .connections = options.connections});
  if (!http.ok()) return http.status();
  std::unique_ptr<ElasticsearchIndex> index(
      new ElasticsearchIndex(*std::move(http), options.index, options.mode));
  // The cluster answers (and the credentials work) before anything else starts.
  absl::StatusOr<HttpResponse> root = index->http_->Send("GET", "/");
  if (!root.ok()) {
    return absl::UnavailableError(absl::StrCat("Elasticsearch at ", index->http_->display_url(),
                                               " does not answer: ", root.status().message()));
  }
  if (absl::Status s = es::ErrorStatus(root->status, root->body,
                                       absl::StrCat("GET ", index->http_->display_url(), "/"));
      !s.ok()) {
    return s;
  }
  if (options.mode == Mode::kWrite) {
    if (absl::Status s = index->CreateOrCheckIndex(); !s.ok()) return s;
  }
  return index;
}

absl::Status ElasticsearchIndex::CreateOrCheckIndex() {
  const std::string path = absl::StrCat("/", index_);
  absl::StatusOr<HttpResponse> created = http_->Send("PUT", path, es::IndexDefinition());
  if (!created.ok()) return created.status();
  if (created->status >= 200 && created->status < 300) return absl::OkStatus();
  const std::string type = es::ErrorType(created->body);
  // An existing index (or an alias: Elasticsearch refuses an index of the alias's name).
  if (type != "resource_already_exists_exception" && type != "invalid_index_name_exception") {
    return es::ErrorStatus(created->status, created->body, absl::StrCat("create index ", index_));
  }
  absl::StatusOr<HttpResponse> mapping = http_->Send("GET", absl::StrCat(path, "/_mapping"));
  if (!mapping.ok()) return mapping.status();
  if (absl::Status s = es::ErrorStatus(mapping->status, mapping->body,
                                       absl::StrCat("read the mapping of ", index_));
      !s.ok()) {
    return s;
  }
  return es::CheckMapping(index_, mapping->body);
}

absl::Status ElasticsearchIndex::Failed(const HttpResponse& response,
                                        absl::string_view what) const {
  if (response.status == 404 && es::ErrorType(response.body) == kIndexNotFound) {
    return absl::UnavailableError(
        absl::StrCat("search index ", index_, " at ", http_->display_url(),
                     " does not exist yet (index-writer creates it; or rebuild it with "
                     "`candor-index-writer --rebuild --search-backend elasticsearch`)"));
  }
  return es::ErrorStatus(response.status, response.body,
                         absl::StrCat(what, " (index ", index_, ")"));
}

absl::Status ElasticsearchIndex::WritesAllowed() const {
  if (mode_ == Mode::kWrite) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("search index ", index_, " opened read-only"));
}

absl::StatusOr<std::vector<es::BulkItem>> ElasticsearchIndex::SendBulk(const std::string& body,
                                                                       absl::string_view what) {
  dirty_ = true;
  absl::StatusOr<HttpResponse> response =
      http_->Send("POST", absl::StrCat("/", index_, "/_bulk"), body, "application/x-ndjson");
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return Failed(*response, what);
  return es::ParseBulkResponse(response->body);
}

absl::Status ElasticsearchIndex::Upsert(const std::vector<ReviewDocument>& documents) {
  if (absl::Status s = WritesAllowed(); !s.ok()) return s;
  if (absl::Status s = ValidateReviewDocuments(documents); !s.ok()) return s;
  return ForEachChunk(documents, [&](const std::vector<ReviewDocument>& chunk) -> absl::Status {
    absl::StatusOr<std::vector<es::BulkItem>> items = SendBulk(es::BulkIndexBody(chunk), "upsert");
    if (!items.ok()) return items.status();
    for (const es::BulkItem& item : *items) {
      if (!item.error_type.empty()) return ItemError(item, "upsert");
    }
    return absl::OkStatus();
  });
}

absl::Status ElasticsearchIndex::Remove(const std::vector<std::string>& review_ids) {
  if (absl::Status s = WritesAllowed(); !s.ok()) return s;
  return ForEachChunk(review_ids, [&](const std::vector<std::string>& chunk) -> absl::Status {
    absl::StatusOr<std::vector<es::BulkItem>> items = SendBulk(es::BulkDeleteBody(chunk), "remove");
    if (!items.ok()) return items.status();
    for (const es::BulkItem& item : *items) {
      // A delete of an absent id answers 404 "not_found" without an error: not one here.
      if (!item.error_type.empty()) return ItemError(item, "remove");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> ElasticsearchIndex::UpdateScores(const std::vector<ScoreUpdate>& updates) {
  if (absl::Status s = WritesAllowed(); !s.ok()) return s;
  int64_t found = 0;
  absl::Status s =
      ForEachChunk(updates, [&](const std::vector<ScoreUpdate>& chunk) -> absl::Status {
        absl::StatusOr<std::vector<es::BulkItem>> items =
            SendBulk(es::BulkScoreBody(chunk), "update scores");
        if (!items.ok()) return items.status();
        for (const es::BulkItem& item : *items) {
          if (item.error_type.empty()) {
            ++found;
          } else if (item.error_type != "document_missing_exception") {
            // A review not indexed yet is the caller's to keep (SearchIndex::UpdateScores).
            return ItemError(item, "update scores");
          }
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return found;
}

absl::Status ElasticsearchIndex::Commit() {
  if (mode_ == Mode::kRead || !dirty_.exchange(false)) return absl::OkStatus();
  absl::StatusOr<HttpResponse> response =
      http_->Send("POST", absl::StrCat("/", index_, "/_refresh"));
  absl::Status s = response.ok() ? (response->status >= 200 && response->status < 300
                                        ? absl::OkStatus()
                                        : Failed(*response, "refresh"))
                                 : response.status();
  if (!s.ok()) dirty_ = true;  // the next Commit refreshes again
  return s;
}

absl::StatusOr<SearchResult> ElasticsearchIndex::Search(const SearchRequest& request) {
  if (absl::Status s = ValidateSearchRequest(request); !s.ok()) return s;
  absl::StatusOr<int64_t> offset = DecodeCursor(request);
  if (!offset.ok()) return offset.status();
  const int64_t size = std::min<int64_t>(request.page_size, kMaxResultWindow - *offset);
  absl::StatusOr<HttpResponse> response = http_->Send("POST", absl::StrCat("/", index_, "/_search"),
                                                      es::SearchBody(request, *offset, size));
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) {
    absl::Status s = Failed(*response, "search");
    // The request was validated above; a 400 is this backend's query, not the shopper's, and
    // the port keeps INVALID_ARGUMENT for the shopper's mistakes.
    if (absl::IsInvalidArgument(s)) return absl::InternalError(s.message());
    return s;
  }
  absl::StatusOr<SearchResult> result =
      es::ParseSearchResponse(response->body, !review::IsBlank(request.query));
  if (!result.ok()) return result.status();
  const int64_t next = *offset + static_cast<int64_t>(result->hits.size());
  if (next < result->total && next < kMaxResultWindow && !result->hits.empty()) {
    result->next_cursor = EncodeCursor(request, next);
  }
  return result;
}

absl::Status ElasticsearchIndex::ForEachReviewId(const std::function<void(std::string_view)>& fn) {
  std::string after;
  for (;;) {
    absl::StatusOr<HttpResponse> response = http_->Send(
        "POST", absl::StrCat("/", index_, "/_search"), es::IdsPageBody(after, es::kIdsPageSize));
    if (!response.ok()) return response.status();
    if (response->status < 200 || response->status >= 300) return Failed(*response, "list ids");
    absl::StatusOr<std::vector<std::string>> ids = es::ParseIdsPage(response->body);
    if (!ids.ok()) return ids.status();
    for (const std::string& id : *ids) fn(id);
    if (ids->size() < static_cast<size_t>(es::kIdsPageSize)) return absl::OkStatus();
    after = ids->back();
  }
}

absl::StatusOr<int64_t> ElasticsearchIndex::DocumentCount() {
  absl::StatusOr<HttpResponse> response = http_->Send("GET", absl::StrCat("/", index_, "/_count"));
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return Failed(*response, "count");
  return es::ParseCount(response->body);
}

absl::Status ElasticsearchIndex::DeleteIndex() {
  absl::StatusOr<HttpResponse> response = http_->Send("DELETE", absl::StrCat("/", index_));
  if (!response.ok()) return response.status();
  if (response->status == 404) return absl::OkStatus();
  return es::ErrorStatus(response->status, response->body, absl::StrCat("delete index ", index_));
}

}  // namespace candor::search
