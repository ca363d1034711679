#include "libs/search/es_index.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/search/es_requests.h"
#include "libs/search/http_testing.h"
#include "libs/search/search_request.h"
#include "nlohmann/json.hpp"

// Requests are written with designated initializers naming only what each test sets; GCC 12
// warns for the optional and vector members left to their defaults even though they have them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// What ElasticsearchIndex sends over HTTP (method, endpoint, content type, how many requests) and
// what it makes of the documented answers, against a loopback HTTP server in the test that
// answers as the REST API reference shows. The query semantics on a real server are
// search_contract_test's (CANDOR_ES_URL).
namespace candor::search {
namespace {

using candor::testing::LoopbackHttpServer;
using candor::testing::ReceivedRequest;
using nlohmann::json;

constexpr char kIndex[] = "candor-test";
const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone());

std::string Id(int n) { return absl::StrFormat("%032x", n); }

ReviewDocument Doc(int n) {
  ReviewDocument d;
  d.review_id = Id(n);
  d.asin = "B000GUITAR";
  d.title = "t";
  d.body = "string buzz";
  d.rating = 1 + n % 5;
  d.created = kNow - absl::Hours(n);
  return d;
}

std::pair<int, std::string> Ok(const json& body) { return {200, body.dump()}; }

const json kRoot = json::parse(R"({"name": "node-1", "cluster_name": "es",
    "version": {"number": "8.11.0"}, "tagline": "You Know, for Search"})");

// Every item of a bulk body answered as succeeded (index 201, delete 200, update 200).
json AllSucceeded(const std::string& ndjson) {
  json items = json::array();
  for (absl::string_view line : absl::StrSplit(ndjson, '\n', absl::SkipEmpty())) {
    json j = json::parse(line);
    if (j.contains("index"))
      items.push_back(
          {{"index", {{"_id", j["index"]["_id"]}, {"status", 201}, {"result", "created"}}}});
    if (j.contains("delete"))
      items.push_back(
          {{"delete", {{"_id", j["delete"]["_id"]}, {"status", 200}, {"result", "deleted"}}}});
    if (j.contains("update"))
      items.push_back(
          {{"update", {{"_id", j["update"]["_id"]}, {"status", 200}, {"result", "updated"}}}});
  }
  return {{"took", 3}, {"errors", false}, {"items", items}};
}

// A cluster with the index created: GET / and PUT answered, bulks succeed, the rest by `other`.
LoopbackHttpServer::Answer Cluster(LoopbackHttpServer::Answer other = nullptr) {
  return [other](const ReceivedRequest& r) -> std::pair<int, std::string> {
    if (r.method == "GET" && r.target == "/") return Ok(kRoot);
    if (r.method == "PUT" && r.target == absl::StrCat("/", kIndex)) {
      return Ok({{"acknowledged", true}, {"shards_acknowledged", true}, {"index", kIndex}});
    }
    if (other) return other(r);
    if (r.target == absl::StrCat("/", kIndex, "/_bulk")) return Ok(AllSucceeded(r.body));
    if (r.target == absl::StrCat("/", kIndex, "/_refresh")) {
      return Ok({{"_shards", {{"total", 1}, {"successful", 1}, {"failed", 0}}}});
    }
    return {500, R"({"error": {"type": "unexpected", "reason": "the test did not expect this"}})"};
  };
}

std::unique_ptr<ElasticsearchIndex> MustOpen(const LoopbackHttpServer& server,
                                             ElasticsearchIndex::Mode mode) {
  auto index = ElasticsearchIndex::Open({.url = server.url(), .index = kIndex, .mode = mode});
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *std::move(index) : nullptr;
}

TEST(ElasticsearchIndexTest, AWriterCreatesTheIndexWithCandorsDefinition) {
  LoopbackHttpServer server(Cluster());
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kWrite);
  ASSERT_NE(index, nullptr);
  const std::vector<ReceivedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");  // the cluster answers before anything else
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].target, "/candor-test");
  EXPECT_EQ(requests[1].content_type, "application/json");
  EXPECT_EQ(json::parse(requests[1].body), json::parse(es::IndexDefinition()));
}

TEST(ElasticsearchIndexTest, AnExistingIndexIsCheckedNotReplaced) {
  const json exists = json::parse(R"({"error": {"type": "resource_already_exists_exception",
      "reason": "index [candor-test/abc] already exists", "index": "candor-test"}, "status": 400})");
  json mapping = {{kIndex, {{"mappings", json::parse(es::IndexDefinition())["mappings"]}}}};
  auto answer = [&](const ReceivedRequest& r) -> std::pair<int, std::string> {
    if (r.method == "PUT") return {400, exists.dump()};
    if (r.target == "/candor-test/_mapping") return Ok(mapping);
    return Ok(kRoot);
  };
  {
    LoopbackHttpServer server(answer);
    EXPECT_NE(MustOpen(server, ElasticsearchIndex::Mode::kWrite), nullptr);
    EXPECT_EQ(server.requests().back().target, "/candor-test/_mapping");
  }
  mapping[kIndex]["mappings"]["properties"].erase("helpfulness_score");
  LoopbackHttpServer server(answer);
  auto index = ElasticsearchIndex::Open(
      {.url = server.url(), .index = kIndex, .mode = ElasticsearchIndex::Mode::kWrite});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition) << index.status();
  EXPECT_NE(index.status().message().find("helpfulness_score"), std::string::npos);
}

TEST(ElasticsearchIndexTest, AReaderCreatesNothingAndRefusesWrites) {
  LoopbackHttpServer server(Cluster());
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kRead);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(server.requests().size(), 1u);  // GET / only
  EXPECT_EQ(index->Upsert({Doc(1)}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(index->Remove({Id(1)}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(index->UpdateScores({}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(index->Commit().ok());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(ElasticsearchIndexTest, WritesAreChunkedBulksAndCommitRefreshesOnce) {
  LoopbackHttpServer server(Cluster());
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kWrite);
  ASSERT_NE(index, nullptr);
  std::vector<ReviewDocument> docs;
  for (int n = 1; n <= 1200; ++n) docs.push_back(Doc(n));
  ASSERT_TRUE(index->Upsert(docs).ok());
  ASSERT_TRUE(index->Remove({Id(1), Id(2)}).ok());
  ASSERT_TRUE(index->Upsert({}).ok());  // nothing to send
  ASSERT_TRUE(index->Commit().ok());
  ASSERT_TRUE(index->Commit().ok());  // nothing written since: no refresh
  std::vector<ReceivedRequest> requests = server.requests();
  requests.erase(requests.begin(), requests.begin() + 2);  // GET /, PUT
  ASSERT_EQ(requests.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(requests[i].method, "POST");
    EXPECT_EQ(requests[i].target, "/candor-test/_bulk");
    EXPECT_EQ(requests[i].content_type, "application/x-ndjson");
  }
  // 1,200 reviews in requests of 500, 500 and 200 actions (two lines each).
  EXPECT_EQ(std::count(requests[0].body.begin(), requests[0].body.end(), '\n'), 1000);
  EXPECT_EQ(std::count(requests[2].body.begin(), requests[2].body.end(), '\n'), 400);
  EXPECT_EQ(requests[3].body, es::BulkDeleteBody({Id(1), Id(2)}));
  EXPECT_EQ(requests[4].method, "POST");
  EXPECT_EQ(requests[4].target, "/candor-test/_refresh");
  EXPECT_NE(requests[4].raw.find("Content-Length: 0\r\n"), std::string::npos) << requests[4].raw;
}

TEST(ElasticsearchIndexTest, FailedItemsFailTheWriteNamingTheReview) {
  LoopbackHttpServer server(Cluster([](const ReceivedRequest& r) -> std::pair<int, std::string> {
    json answer = AllSucceeded(r.body);
    answer["errors"] = true;
    answer["items"][1] = json::parse(R"({"index": {"_id": "r2", "status": 400, "error": {
        "type": "document_parsing_exception",
        "reason": "[1:30] failed to parse field [rating] of type [byte]"}}})");
    return Ok(answer);
  }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kWrite);
  ASSERT_NE(index, nullptr);
  absl::Status s = index->Upsert({Doc(1), Doc(2)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("review r2"), std::string::npos) << s;
  EXPECT_NE(s.message().find("failed to parse field [rating]"), std::string::npos) << s;
}

TEST(ElasticsearchIndexTest, ScoresForReviewsNotIndexedAreCountedNotFailed) {
  LoopbackHttpServer server(Cluster([](const ReceivedRequest& r) -> std::pair<int, std::string> {
    json answer = AllSucceeded(r.body);
    answer["errors"] = true;
    answer["items"][1] = json::parse(R"({"update": {"_id": "x", "status": 404, "error": {
        "type": "document_missing_exception", "reason": "[x]: document missing"}}})");
    return Ok(answer);
  }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kWrite);
  ASSERT_NE(index, nullptr);
  absl::StatusOr<int64_t> found = index->UpdateScores({{Id(1), 2.0, 3, 4}, {Id(2), 1.0, 1, 1}});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, 1);
  EXPECT_EQ(server.requests().back().body,
            es::BulkScoreBody({{Id(1), 2.0, 3, 4}, {Id(2), 1.0, 1, 1}}));
}

TEST(ElasticsearchIndexTest, AnOverloadedClusterIsUnavailable) {
  LoopbackHttpServer server(Cluster([](const ReceivedRequest&) -> std::pair<int, std::string> {
    return {429, R"({"error": {"type": "es_rejected_execution_exception",
        "reason": "rejected execution of coordinating operation"}, "status": 429})"};
  }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kWrite);
  ASSERT_NE(index, nullptr);
  absl::Status s = index->Upsert({Doc(1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("rejected execution"), std::string::npos) << s;
  EXPECT_EQ(index->Commit().code(), absl::StatusCode::kUnavailable);
}

TEST(ElasticsearchIndexTest, SearchPostsTheQueryAndHandsOutTheSharedCursor) {
  const json answer = json::parse(R"({"took": 1, "timed_out": false,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {"total": {"value": 3, "relation": "eq"}, "max_score": null, "hits": [
      {"_id": "a", "_score": 1.5, "_source": {"review_id": "a", "asin": "B000GUITAR",
        "title": "t", "body": "string buzz", "rating": 2, "verified_purchase": true,
        "created_ns": 1, "helpfulness_score": 0.0, "helpful_votes": 0, "total_votes": 0},
       "highlight": {"body": ["string \u0002buzz\u0003"]}},
      {"_id": "b", "_score": 1.0, "_source": {"review_id": "b", "asin": "B000GUITAR",
        "title": "t", "body": "buzz", "rating": 5, "verified_purchase": false,
        "created_ns": 2, "helpfulness_score": 0.0, "helpful_votes": 0, "total_votes": 0}}]},
    "aggregations": {"stars": {"buckets": [{"key": 2, "doc_count": 2}, {"key": 5, "doc_count": 1}]},
      "verified": {"buckets": [{"key": 1, "key_as_string": "true", "doc_count": 2},
                               {"key": 0, "key_as_string": "false", "doc_count": 1}]},
      "recency": {"buckets": {"last_30_days": {"doc_count": 0}, "last_year": {"doc_count": 0},
                              "older": {"doc_count": 3}}}}})");
  LoopbackHttpServer server(
      Cluster([&](const ReceivedRequest&) -> std::pair<int, std::string> { return Ok(answer); }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kRead);
  ASSERT_NE(index, nullptr);
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .page_size = 2, .now = kNow};
  absl::StatusOr<SearchResult> result = index->Search(r);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->total, 3);
  ASSERT_EQ(result->hits.size(), 2u);
  EXPECT_EQ(result->hits[0].snippet, "string <b>buzz</b>");
  EXPECT_EQ(result->facets.stars[1], 2);
  EXPECT_EQ(result->next_cursor, EncodeCursor(r, 2));
  const ReceivedRequest sent = server.requests().back();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/candor-test/_search");
  EXPECT_EQ(json::parse(sent.body), json::parse(es::SearchBody(r, 0, 2)));
  // The next page starts where the cursor says; a bad request never reaches the server.
  r.cursor = result->next_cursor;
  ASSERT_TRUE(index->Search(r).ok());
  EXPECT_EQ(json::parse(server.requests().back().body)["from"], 2);
  const size_t sent_so_far = server.requests().size();
  r.stars = {9};
  EXPECT_EQ(index->Search(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.requests().size(), sent_so_far);
}

TEST(ElasticsearchIndexTest, AMissingIndexIsUnavailableAndABadQueryInternal) {
  const std::string missing = R"({"error": {"type": "index_not_found_exception",
      "reason": "no such index [candor-test]", "index": "candor-test"}, "status": 404})";
  bool bad_query = false;
  LoopbackHttpServer server(Cluster([&](const ReceivedRequest&) -> std::pair<int, std::string> {
    if (bad_query) {
      return {400, R"({"error": {"type": "parsing_exception", "reason": "unknown query"}})"};
    }
    return {404, missing};
  }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kRead);
  ASSERT_NE(index, nullptr);
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .now = kNow};
  absl::Status s = index->Search(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("search index candor-test at " + server.url() + " does not exist yet"),
            std::string::npos)
      << s;
  EXPECT_EQ(index->DocumentCount().status().code(), absl::StatusCode::kUnavailable);
  bad_query = true;
  s = index->Search(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;  // not the shopper's INVALID_ARGUMENT
  EXPECT_NE(s.message().find("parsing_exception: unknown query"), std::string::npos) << s;
}

TEST(ElasticsearchIndexTest, EveryIdIsListedWithSearchAfterAndCounted) {
  LoopbackHttpServer server(Cluster([](const ReceivedRequest& r) -> std::pair<int, std::string> {
    if (r.target == "/candor-test/_count") return Ok({{"count", 1005}});
    const json request = json::parse(r.body);
    const int start = request.contains("search_after") ? 1000 : 0;
    const int end = start == 0 ? 1000 : 1005;
    json hits = json::array();
    for (int n = start; n < end; ++n) hits.push_back({{"_id", Id(n)}, {"sort", {Id(n)}}});
    return Ok({{"hits", {{"hits", hits}}}});
  }));
  auto index = MustOpen(server, ElasticsearchIndex::Mode::kRead);
  ASSERT_NE(index, nullptr);
  std::vector<std::string> ids;
  ASSERT_TRUE(index->ForEachReviewId([&](std::string_view id) { ids.emplace_back(id); }).ok());
  EXPECT_EQ(ids.size(), 1005u);
  const std::vector<ReceivedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);  // GET /, two pages
  EXPECT_EQ(requests[1].target, "/candor-test/_search");
  EXPECT_EQ(json::parse(requests[2].body)["search_after"], json::array({Id(999)}));
  EXPECT_EQ(*index->DocumentCount(), 1005);
  EXPECT_EQ(server.requests().back().method, "GET");
  EXPECT_EQ(server.requests().back().target, "/candor-test/_count");
}

TEST(ElasticsearchIndexTest, OpenRefusesBadSettingsAndASilentCluster) {
  EXPECT_EQ(
      ElasticsearchIndex::Open({.url = "http://127.0.0.1:9200", .index = "Bad"}).status().code(),
      absl::StatusCode::kInvalidArgument);
  LoopbackHttpServer silent(Cluster(), /*silent=*/true);
  auto index = ElasticsearchIndex::Open(
      {.url = silent.url(), .index = kIndex, .timeout = absl::Milliseconds(300)});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kUnavailable) << index.status();
  LoopbackHttpServer locked([](const ReceivedRequest&) -> std::pair<int, std::string> {
    return {
        401,
        R"({"error": {"type": "security_exception", "reason": "missing authentication credentials"}})"};
  });
  index = ElasticsearchIndex::Open({.url = locked.url(), .index = kIndex});
  EXPECT_EQ(index.status().code(), absl::StatusCode::kPermissionDenied) << index.status();
  EXPECT_NE(index.status().message().find("missing authentication credentials"), std::string::npos);
}

}  // namespace
}  // namespace candor::search
