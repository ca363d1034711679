#include "libs/search/es_requests.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/search/search_request.h"
#include "nlohmann/json.hpp"

// Requests are written with designated initializers naming only what each test sets; GCC 12
// warns for the optional and vector members left to their defaults even though they have them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// The request bodies are checked against the shapes Elasticsearch's REST API reference documents
// (create index, _bulk, _search with bool / simple_query_string / terms / range / aggregations /
// highlight / sort / search_after, _count) and the parsers against the documented responses,
// including error bodies and bulk answers with failed items. No server.
namespace candor::search::es {
namespace {

using nlohmann::json;

const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone());

ReviewDocument Review(std::string id) {
  ReviewDocument d;
  d.review_id = std::move(id);
  d.asin = "B000GUITAR";
  d.title = "Strings \"buzz\"";
  d.body = "Buzzing ñ everywhere & <b>";
  d.rating = 2;
  d.verified = true;
  d.created = kNow - absl::Nanoseconds(1500);
  d.helpfulness = 12345.678901;
  d.helpful_votes = 3;
  d.total_votes = 4;
  return d;
}

std::vector<json> Lines(const std::string& ndjson) {
  EXPECT_FALSE(ndjson.empty());
  EXPECT_EQ(ndjson.back(), '\n') << "the bulk API wants every line, the last too, ended";
  std::vector<json> lines;
  for (absl::string_view line : absl::StrSplit(ndjson, '\n', absl::SkipEmpty())) {
    json j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(line.find('\n'), absl::string_view::npos);
    lines.push_back(j);
  }
  return lines;
}

TEST(EsIndexDefinitionTest, EnglishTextKeywordsNumbersDatesAndARefreshOfOneSecond) {
  const json d = json::parse(IndexDefinition());
  EXPECT_EQ(d["settings"]["index"]["refresh_interval"], "1s");  // within design.md's 5 s
  EXPECT_EQ(d["settings"]["index"]["max_result_window"], kMaxResultWindow);
  const json& m = d["mappings"];
  EXPECT_EQ(m["dynamic"], "strict");
  const json& p = m["properties"];
  for (const char* text : {kTitle, kBody}) {
    EXPECT_EQ(p[text]["type"], "text");
    EXPECT_EQ(p[text]["analyzer"], "english");
    EXPECT_EQ(p[text]["fields"]["exact"]["analyzer"], "standard");  // "phrases", unstemmed
  }
  EXPECT_EQ(p[kReviewId]["type"], "keyword");
  EXPECT_EQ(p[kAsin]["type"], "keyword");
  EXPECT_EQ(p[kRating]["type"], "byte");
  EXPECT_EQ(p[kVerified]["type"], "boolean");
  EXPECT_EQ(p[kCreatedAt]["type"], "date_nanos");
  EXPECT_EQ(p[kHelpfulness]["type"], "double");
  EXPECT_EQ(p[kHelpfulVotes]["type"], "long");
  EXPECT_EQ(p[kTotalVotes]["type"], "long");
}

TEST(EsIndexDefinitionTest, AnExistingMappingIsCheckedFieldByField) {
  json ours = json::parse(IndexDefinition());
  json answer = {{"candor-reviews-v2", {{"mappings", ours["mappings"]}}}};
  EXPECT_TRUE(CheckMapping("candor-reviews", answer.dump()).ok());
  json missing = answer;
  missing["candor-reviews-v2"]["mappings"]["properties"].erase(kCreatedAt);
  absl::Status s = CheckMapping("candor-reviews", missing.dump());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("created_at"), std::string::npos) << s;
  json wrong = answer;
  wrong["candor-reviews-v2"]["mappings"]["properties"][kRating] = {{"type", "keyword"}};
  s = CheckMapping("candor-reviews", wrong.dump());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("rating' is mapped as keyword, expected byte"), std::string::npos)
      << s;
  EXPECT_EQ(CheckMapping("x", "[]").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(EsIndexNameTest, FollowsElasticsearchsRules) {
  for (const char* good : {"candor-reviews", "reviews_2026.12", "a"}) {
    EXPECT_TRUE(ValidateIndexName(good).ok()) << good;
  }
  for (const char* bad : {"", "Reviews", "-x", "_x", "+x", ".", "..", "a b", "a/b", "a*", "a,b",
                          "a#b", "a:b", "a\"b"}) {
    absl::Status s = ValidateIndexName(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StartsWith(s.message(), "index name")) << s;
  }
  EXPECT_FALSE(ValidateIndexName(std::string(256, 'a')).ok());
}

TEST(EsBulkTest, IndexActionsUseTheReviewIdAsDocumentId) {
  const std::vector<json> lines = Lines(BulkIndexBody({Review("r1"), Review("r2")}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], (json{{"index", {{"_id", "r1"}}}}));
  EXPECT_EQ(lines[2], (json{{"index", {{"_id", "r2"}}}}));
  const json& source = lines[1];
  EXPECT_EQ(source[kReviewId], "r1");
  EXPECT_EQ(source[kAsin], "B000GUITAR");
  EXPECT_EQ(source[kTitle], "Strings \"buzz\"");
  EXPECT_EQ(source[kBody], "Buzzing ñ everywhere & <b>");
  EXPECT_EQ(source[kRating], 2);
  EXPECT_EQ(source[kVerified], true);
  EXPECT_EQ(source[kCreatedAt], "2026-11-30T23:59:59.999998500Z");
  EXPECT_EQ(source[kCreatedNs], absl::ToUnixNanos(kNow) - 1500);
  EXPECT_DOUBLE_EQ(source[kHelpfulness].get<double>(), 12345.678901);
  EXPECT_EQ(source[kHelpfulVotes], 3);
  EXPECT_EQ(source[kTotalVotes], 4);
  // Nothing outside the strict mapping.
  const json mapping = json::parse(IndexDefinition())["mappings"]["properties"];
  for (const auto& [field, value] : source.items()) {
    EXPECT_TRUE(mapping.contains(field)) << field;
  }
}

TEST(EsBulkTest, DeletesAndPartialScoreUpdatesWithoutUpsert) {
  EXPECT_EQ(Lines(BulkDeleteBody({"r1", "r2"})),
            (std::vector<json>{{{"delete", {{"_id", "r1"}}}}, {{"delete", {{"_id", "r2"}}}}}));
  ScoreUpdate u;
  u.review_id = "r1";
  u.helpfulness = 2.5;
  u.helpful_votes = 7;
  u.total_votes = 9;
  const std::vector<json> lines = Lines(BulkScoreBody({u}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (json{{"update", {{"_id", "r1"}, {"retry_on_conflict", 3}}}}));
  // A partial document only: a score for a review not indexed yet must not create a document
  // without text (no "upsert", no "doc_as_upsert"); the review's own upsert brings the score.
  EXPECT_EQ(lines[1], (json{{"doc", {{kHelpfulness, 2.5}, {kHelpfulVotes, 7}, {kTotalVotes, 9}}}}));
}

TEST(EsBulkTest, ParsesPartialFailures) {
  // The documented shape of a bulk answer with `errors: true`.
  const char* body = R"({"took": 30, "errors": true, "items": [
    {"index": {"_index": "candor-reviews", "_id": "r1", "_version": 1, "result": "created",
               "_shards": {"total": 2, "successful": 1, "failed": 0}, "status": 201,
               "_seq_no": 0, "_primary_term": 1}},
    {"delete": {"_index": "candor-reviews", "_id": "r9", "_version": 1, "result": "not_found",
                "status": 404}},
    {"update": {"_index": "candor-reviews", "_id": "r7", "status": 404,
                "error": {"type": "document_missing_exception",
                          "reason": "[r7]: document missing", "index": "candor-reviews"}}},
    {"index": {"_index": "candor-reviews", "_id": "r3", "status": 429,
               "error": {"type": "es_rejected_execution_exception",
                         "reason": "rejected execution of coordinating operation"}}}
  ]})";
  absl::StatusOr<std::vector<BulkItem>> items = ParseBulkResponse(body);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 4u);
  EXPECT_EQ((*items)[0].action, "index");
  EXPECT_EQ((*items)[0].status, 201);
  EXPECT_EQ((*items)[0].result, "created");
  EXPECT_TRUE((*items)[0].error_type.empty());
  EXPECT_EQ((*items)[1].result, "not_found");
  EXPECT_TRUE((*items)[1].error_type.empty());  // deleting an absent id is not an error
  EXPECT_EQ((*items)[2].id, "r7");
  EXPECT_EQ((*items)[2].error_type, "document_missing_exception");
  EXPECT_EQ((*items)[3].status, 429);
  EXPECT_EQ((*items)[3].error_reason, "rejected execution of coordinating operation");
  EXPECT_EQ(ParseBulkResponse(R"({"error": "x"})").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ParseBulkResponse("<html>").status().code(), absl::StatusCode::kInternal);
}

TEST(EsShopperQueryTest, XapianSyntaxAsSimpleQueryString) {
  struct Case {
    const char* in;
    const char* out;
    bool plain;
  };
  for (const Case& c : std::vector<Case>{
           {"string buzz", "string buzz", false},
           {"\"string buzz\" tuner", "\"string buzz\" tuner", false},
           {"tuner -battery +case", "tuner -battery +case", false},
           {"tuner OR battery", "tuner | battery", false},
           {"tuner AND battery", "tuner battery", false},
           {"tuner NOT battery", "tuner -battery", false},
           {"(tuner OR clip) battery", "(tuner | clip) battery", false},
           {"batt*", "batt*", false},
           {"a|b c~2 d\\e", "a b c 2 d e", false},  // engine-only operators are separators
           // What Xapian's parser refuses comes back as plain words, as Xapian falls back.
           {"\"tuner battery", "tuner battery", true},
           {"((buzz", "buzz", true},
           {"buzz)", "buzz", true},
           {"buzz AND", "buzz AND", true},
           {"OR", "OR", true},
           {"NOT buzz", "NOT buzz", true},
           {"buzz NOT NOT", "buzz NOT NOT", true},
           {"-", "", true},
           {"*", "", true},
           {"\"\"", "", true},
       }) {
    TextQuery q = TranslateShopperQuery(c.in);
    EXPECT_EQ(q.text, c.out) << c.in;
    EXPECT_EQ(q.plain, c.plain) << c.in;
  }
  EXPECT_EQ(TranslateShopperQuery("   ").text, "");
}

TEST(EsSearchBodyTest, FiltersWordsSortsFacetsHighlightAndPage) {
  SearchRequest r{.asin = "B000GUITAR",
                  .query = "\"string buzz\" tuner",
                  .stars = {1, 2},
                  .verified = true,
                  .from = kNow - absl::Hours(24 * 30),
                  .to = kNow,
                  .sort = SortOrder::kHelpfulness,
                  .page_size = 10,
                  .now = kNow};
  const json b = json::parse(SearchBody(r, 20, 10));
  EXPECT_EQ(b["from"], 20);
  EXPECT_EQ(b["size"], 10);
  EXPECT_EQ(b["track_total_hits"], true);  // the exact total the port promises
  EXPECT_EQ(b["track_scores"], true);      // relevance while sorting by a field
  const json& filter = b["query"]["bool"]["filter"];
  ASSERT_EQ(filter.size(), 4u);
  EXPECT_EQ(filter[0], (json{{"term", {{"asin", "B000GUITAR"}}}}));
  EXPECT_EQ(filter[1], (json{{"terms", {{"rating", {1, 2}}}}}));
  EXPECT_EQ(filter[2], (json{{"term", {{"verified_purchase", true}}}}));
  EXPECT_EQ(filter[3], (json{{"range",
                              {{"created_at",
                                {{"gte", "2026-11-01T00:00:00.000000000Z"},
                                 {"lt", "2026-12-01T00:00:00.000000000Z"}}}}}}));
  const json& sqs = b["query"]["bool"]["must"][0]["simple_query_string"];
  EXPECT_EQ(sqs["query"], "\"string buzz\" tuner");
  EXPECT_EQ(sqs["fields"], (json{"title^2", "body"}));
  EXPECT_EQ(sqs["default_operator"], "and");
  EXPECT_EQ(sqs["flags"], "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE");
  EXPECT_EQ(sqs["quote_field_suffix"], ".exact");
  EXPECT_EQ(b["sort"],
            (json{{{"helpfulness_score", "desc"}}, {{"_score", "desc"}}, {{"review_id", "asc"}}}));
  const json& aggs = b["aggs"];
  EXPECT_EQ(aggs["stars"], (json{{"terms", {{"field", "rating"}, {"size", 5}}}}));
  EXPECT_EQ(aggs["verified"], (json{{"terms", {{"field", "verified_purchase"}, {"size", 2}}}}));
  const json& recency = aggs["recency"]["filters"]["filters"];
  EXPECT_EQ(recency["last_30_days"]["range"]["created_at"],
            (json{{"gte", "2026-11-01T00:00:00.000000000Z"}}));
  EXPECT_EQ(
      recency["last_year"]["range"]["created_at"],
      (json{{"gte", "2025-12-01T00:00:00.000000000Z"}, {"lt", "2026-11-01T00:00:00.000000000Z"}}));
  EXPECT_EQ(recency["older"]["range"]["created_at"],
            (json{{"lt", "2025-12-01T00:00:00.000000000Z"}}));
  const json& hl = b["highlight"];
  EXPECT_EQ(hl["fields"]["body"]["number_of_fragments"], 1);
  EXPECT_EQ(hl["fields"]["body"]["fragment_size"], 240);
  EXPECT_EQ(hl["fields"]["body"]["no_match_size"], 240);
  EXPECT_EQ(hl["fields"]["body"]["highlight_query"], b["query"]["bool"]["must"][0]);

  r.sort = SortOrder::kRelevance;
  EXPECT_EQ(json::parse(SearchBody(r, 0, 10))["sort"],
            (json{{{"_score", "desc"}}, {{"created_at", "desc"}}, {{"review_id", "asc"}}}));
  r.sort = SortOrder::kNewest;
  EXPECT_EQ(json::parse(SearchBody(r, 0, 10))["sort"],
            (json{{{"created_at", "desc"}}, {{"_score", "desc"}}, {{"review_id", "asc"}}}));
}

TEST(EsSearchBodyTest, EmptyQueryListsAndBadSyntaxSearchesPlainWords) {
  const json all = json::parse(SearchBody({.asin = "B000GUITAR", .now = kNow}, 0, 10));
  EXPECT_FALSE(all["query"]["bool"].contains("must"));
  EXPECT_FALSE(all["highlight"]["fields"]["body"].contains("highlight_query"));
  EXPECT_EQ(all["query"]["bool"]["filter"].size(), 1u);
  const json plain = json::parse(
      SearchBody({.asin = "B000GUITAR", .query = "\"tuner (battery", .now = kNow}, 0, 10));
  const json& sqs = plain["query"]["bool"]["must"][0]["simple_query_string"];
  EXPECT_EQ(sqs["query"], "tuner  battery");
  EXPECT_EQ(sqs["flags"], "WHITESPACE");
  EXPECT_FALSE(sqs.contains("quote_field_suffix"));
  // Nothing left to search: no match (as an empty Xapian query), not an empty query string.
  const json none =
      json::parse(SearchBody({.asin = "B000GUITAR", .query = "*", .now = kNow}, 0, 10));
  EXPECT_EQ(none["query"]["bool"]["must"], json::parse(R"([{"match_none": {}}])"));
}

json SearchAnswer() {
  // The documented shape of a _search answer with aggregations and highlights.
  return json::parse(R"({
    "took": 5, "timed_out": false,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {"total": {"value": 42, "relation": "eq"}, "max_score": null, "hits": [
      {"_index": "candor-reviews", "_id": "r1", "_score": 3.25,
       "_source": {"review_id": "r1", "asin": "B000GUITAR", "title": "Buzzing mess",
                   "body": "Intro. Buzzing everywhere & the <b>action</b> is high. More text.",
                   "rating": 1, "verified_purchase": false,
                   "created_at": "2026-11-26T00:00:00.000000000Z",
                   "created_ns": 1795651200000000000, "helpfulness_score": 2.0,
                   "helpful_votes": 1, "total_votes": 2},
       "highlight": {"body": ["Buzzing everywhere & the <b>\u0002action\u0003</b> is high."]},
       "sort": [2.0, 3.25, "r1"]},
      {"_index": "candor-reviews", "_id": "r2", "_score": null,
       "_source": {"review_id": "r2", "asin": "B000GUITAR", "title": "",
                   "body": "Short.", "rating": 5, "verified_purchase": true,
                   "created_at": "2025-01-01T00:00:00.5Z",
                   "helpfulness_score": 0.0, "helpful_votes": 0, "total_votes": 0},
       "sort": [0.0, null, "r2"]}
    ]},
    "aggregations": {
      "stars": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [
        {"key": 5, "doc_count": 30}, {"key": 1, "doc_count": 12}]},
      "verified": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [
        {"key": 1, "key_as_string": "true", "doc_count": 40},
        {"key": 0, "key_as_string": "false", "doc_count": 2}]},
      "recency": {"buckets": {"last_30_days": {"doc_count": 3}, "last_year": {"doc_count": 9},
                              "older": {"doc_count": 30}}}
    }})");
}

TEST(EsSearchResponseTest, HitsExactTotalFacetsAndEscapedSnippets) {
  absl::StatusOr<SearchResult> r = ParseSearchResponse(SearchAnswer().dump(), /*words=*/true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total, 42);
  ASSERT_EQ(r->hits.size(), 2u);
  const SearchHit& h = r->hits[0];
  EXPECT_EQ(h.review.review_id, "r1");
  EXPECT_EQ(h.review.rating, 1);
  EXPECT_FALSE(h.review.verified);
  EXPECT_EQ(h.review.created, absl::FromUnixNanos(1795651200000000000));
  EXPECT_EQ(h.review.helpful_votes, 1);
  EXPECT_DOUBLE_EQ(h.relevance, 3.25);
  EXPECT_EQ(h.snippet,
            "...Buzzing everywhere &amp; the &lt;b&gt;<b>action</b>&lt;/b&gt; is high....");
  // No created_ns: created_at is read; no highlight: the body's start; no score: 0.
  EXPECT_EQ(
      r->hits[1].review.created,
      absl::FromCivil(absl::CivilDay(2025, 1, 1), absl::UTCTimeZone()) + absl::Milliseconds(500));
  EXPECT_EQ(r->hits[1].snippet, "Short.");
  EXPECT_EQ(r->hits[1].relevance, 0);
  EXPECT_EQ(r->facets, (Facets{.stars = {12, 0, 0, 0, 30},
                               .verified = 40,
                               .unverified = 2,
                               .last_30_days = 3,
                               .last_year = 9,
                               .older = 30}));
  // An empty query reports no relevance, as the Xapian backend does.
  EXPECT_EQ(ParseSearchResponse(SearchAnswer().dump(), false)->hits[0].relevance, 0);
}

TEST(EsSearchResponseTest, PartialOrMalformedAnswersAreErrors) {
  json answer = SearchAnswer();
  answer["hits"]["total"] = 42;  // rest_total_hits_as_int
  EXPECT_EQ(ParseSearchResponse(answer.dump(), true)->total, 42);
  json failed = SearchAnswer();
  failed["_shards"] = json::parse(
      R"({"total": 2, "successful": 1, "failed": 1, "failures": [{"shard": 1,
         "reason": {"type": "query_shard_exception", "reason": "failed to create query"}}]})");
  absl::Status s = ParseSearchResponse(failed.dump(), true).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("failed to create query"), std::string::npos) << s;
  json timed_out = SearchAnswer();
  timed_out["timed_out"] = true;
  EXPECT_EQ(ParseSearchResponse(timed_out.dump(), true).status().code(),
            absl::StatusCode::kUnavailable);
  json no_aggs = SearchAnswer();
  no_aggs.erase("aggregations");
  EXPECT_EQ(ParseSearchResponse(no_aggs.dump(), true).status().code(), absl::StatusCode::kInternal);
  json bad_source = SearchAnswer();
  bad_source["hits"]["hits"][0]["_source"].erase("body");
  EXPECT_EQ(ParseSearchResponse(bad_source.dump(), true).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseSearchResponse("not json", true).status().code(), absl::StatusCode::kInternal);
}

TEST(EsIdsTest, PagesWithSearchAfterOnTheReviewId) {
  const json first = json::parse(IdsPageBody("", 1000));
  EXPECT_EQ(first["size"], 1000);
  EXPECT_EQ(first["_source"], false);
  EXPECT_EQ(first["sort"], (json{{{"review_id", "asc"}}}));
  EXPECT_FALSE(first.contains("search_after"));
  EXPECT_FALSE(first.contains("from"));  // search_after has no 10,000-result window
  EXPECT_EQ(json::parse(IdsPageBody("r9", 1000))["search_after"], (json{"r9"}));
  absl::StatusOr<std::vector<std::string>> ids = ParseIdsPage(
      R"({"hits": {"total": {"value": 2, "relation": "eq"}, "hits": [
          {"_index": "i", "_id": "r1", "_score": null, "sort": ["r1"]},
          {"_index": "i", "_id": "r2", "_score": null, "sort": ["r2"]}]}})");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(*ParseCount(R"({"count": 17, "_shards": {"total": 1, "successful": 1}})"), 17);
  EXPECT_EQ(ParseCount("{}").status().code(), absl::StatusCode::kInternal);
}

TEST(EsErrorTest, HttpStatusesMapToCodesWithElasticsearchsReason) {
  const char* missing = R"({"error": {"root_cause": [{"type": "index_not_found_exception",
      "reason": "no such index [candor-reviews]"}], "type": "index_not_found_exception",
      "reason": "no such index [candor-reviews]", "index": "candor-reviews"}, "status": 404})";
  absl::Status s = ErrorStatus(404, missing, "search");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "search: Elasticsearch answered HTTP 404: index_not_found_exception: no such index "
            "[candor-reviews]");
  EXPECT_EQ(ErrorType(missing), "index_not_found_exception");
  const char* parsing = R"({"error": {"type": "search_phase_execution_exception",
      "reason": "all shards failed", "caused_by": {"type": "x", "reason": "too many clauses"}},
      "status": 400})";
  s = ErrorStatus(400, parsing, "search");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("all shards failed (caused by too many clauses)"), std::string::npos)
      << s;
  EXPECT_EQ(ErrorStatus(429, "{}", "bulk").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorStatus(503, "", "bulk").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorStatus(401, R"({"error": "unauthorized"})", "x").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorStatus(409, "{}", "x").code(), absl::StatusCode::kAborted);
  s = ErrorStatus(502, "<html>Bad Gateway</html>", "search");
  EXPECT_NE(s.message().find("Bad Gateway"), std::string::npos);
  EXPECT_TRUE(ErrorStatus(200, "{}", "x").ok());
  EXPECT_EQ(ErrorStatus(302, "", "x").code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace candor::search::es
