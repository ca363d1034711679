#include "libs/search/es_requests.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "libs/review/validation.h"
#include "nlohmann/json.hpp"

namespace candor::search::es {
namespace {

using nlohmann::json;

constexpr int kSnippetChars = 240;  // as the Xapian backend's 240-byte snippets
// Highlight markers: control characters, which review text never holds (libs/review refuses
// them), so the escaping after the fact cannot confuse them with the review's own text.
constexpr char kPre[] = "\x02";
constexpr char kPost[] = "\x03";
constexpr char kShopperOperators[] = "\"()+-*";

std::string Dump(const json& j) {
  // Review text is valid UTF-8 (libs/review); replace rather than throw should that ever break.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// date_nanos in the strict_date_optional_time_nanos format, UTC.
std::string IsoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", t, absl::UTCTimeZone());
}

json Parse(absl::string_view body) {
  return json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
}

json TextField() {
  return {{"type", "text"},
          {"analyzer", "english"},
          {"fields", {{"exact", {{"type", "text"}, {"analyzer", "standard"}}}}}};
}

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

// The fragment as the Xapian backend's snippets look: escaped, <b>matches</b>, "..." where the
// body goes on.
std::string Snippet(const std::string& fragment, const std::string& body) {
  const std::string plain = absl::StrReplaceAll(fragment, {{kPre, ""}, {kPost, ""}});
  std::string out = absl::StrReplaceAll(HtmlEscape(fragment), {{kPre, "<b>"}, {kPost, "</b>"}});
  const size_t at = body.find(plain);
  if (at != std::string::npos) {
    if (at > 0) out = absl::StrCat("...", out);
    if (at + plain.size() < body.size()) absl::StrAppend(&out, "...");
  }
  return out;
}

// At most `bytes` of `text`, not cutting a UTF-8 character.
std::string Prefix(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return text.substr(0, bytes);
}

absl::StatusOr<ReviewDocument> DocumentOf(const json& source) {
  ReviewDocument d;
  try {
    d.review_id = source.at(kReviewId).get<std::string>();
    d.asin = source.at(kAsin).get<std::string>();
    d.title = source.value(kTitle, std::string());
    d.body = source.at(kBody).get<std::string>();
    d.rating = source.at(kRating).get<int32_t>();
    d.verified = source.at(kVerified).get<bool>();
    if (source.contains(kCreatedNs)) {
      d.created = absl::FromUnixNanos(source.at(kCreatedNs).get<int64_t>());
    } else {
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, source.at(kCreatedAt).get<std::string>(), &d.created,
                           &error)) {
        return absl::DataLossError(absl::StrCat("search index: bad ", kCreatedAt, ": ", error));
      }
    }
    d.helpfulness = source.value(kHelpfulness, 0.0);
    d.helpful_votes = source.value(kHelpfulVotes, int64_t{0});
    d.total_votes = source.value(kTotalVotes, int64_t{0});
  } catch (const json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("search index: a document lacks a field or has the wrong type: ", e.what()));
  }
  return d;
}

bool IsBooleanOperator(absl::string_view token) {
  return token == "AND" || token == "OR" || token == "NOT";
}

// Characters simple_query_string reads as operators that a shopper's syntax does not have.
void SeparateEngineOperators(std::string& text) {
  for (char& c : text) {
    if (c == '|' || c == '~' || c == '\\') c = ' ';
  }
}

TextQuery PlainWords(absl::string_view query) {
  std::string words(query);
  SeparateEngineOperators(words);
  for (char& c : words) {
    if (absl::string_view(kShopperOperators).find(c) != absl::string_view::npos) c = ' ';
  }
  return {.text = std::string(absl::StripAsciiWhitespace(words)), .plain = true};
}

}  // namespace

absl::Status ValidateIndexName(absl::string_view name) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("index name '", name, "': ", why));
  };
  if (name.empty() || name.size() > 255) return bad("must be 1..255 bytes");
  if (name == "." || name == "..") return bad("must not be . or ..");
  if (name[0] == '-' || name[0] == '_' || name[0] == '+') return bad("must not start with - _ +");
  for (char c : name) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) return bad("must be lower case");
    if (absl::string_view("\\/*?\"<>|,#: ").find(c) != absl::string_view::npos ||
        static_cast<unsigned char>(c) < 0x20) {
      return bad(absl::StrCat("must not contain '", std::string(1, c), "'"));
    }
  }
  return absl::OkStatus();
}

std::string IndexDefinition() {
  json properties = {
      {kReviewId, {{"type", "keyword"}}},
      {kAsin, {{"type", "keyword"}}},
      {kTitle, TextField()},
      {kBody, TextField()},
      {kRating, {{"type", "byte"}}},
      {kVerified, {{"type", "boolean"}}},
      {kCreatedAt, {{"type", "date_nanos"}, {"format", "strict_date_optional_time_nanos"}}},
      // Kept for the exact time in _source; never searched.
      {kCreatedNs, {{"type", "long"}, {"index", false}, {"doc_values", false}}},
      // libs/helpfulness' sort key needs a double's precision (it adds days since 1970).
      {kHelpfulness, {{"type", "double"}}},
      {kHelpfulVotes, {{"type", "long"}}},
      {kTotalVotes, {{"type", "long"}}},
  };
  json definition = {
      {"settings",
       {{"index",
         {// New reviews searchable within 1 s even between Commits (design.md 5: 5 s).
          {"refresh_interval", "1s"},
          {"max_result_window", kMaxResultWindow}}}}},
      {"mappings", {{"dynamic", "strict"}, {"properties", properties}}},
  };
  return Dump(definition);
}

absl::Status CheckMapping(absl::string_view index, absl::string_view mapping_response) {
  const json j = Parse(mapping_response);
  if (!j.is_object() || j.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("index ", index, ": the _mapping answer is not a mapping"));
  }
  // {"<concrete index>": {"mappings": {"properties": {...}}}}; an alias names another index.
  const json& mappings = j.begin().value().value("mappings", json::object());
  const json properties = mappings.value("properties", json::object());
  const json expected = json::parse(IndexDefinition())["mappings"]["properties"];
  for (const auto& [field, spec] : expected.items()) {
    if (!properties.contains(field)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "index ", index, ": its mapping has no field '", field,
          "' (not a Candor review index: delete it, or choose another with --es-index)"));
    }
    const std::string want = spec["type"];
    const std::string got = properties[field].value("type", std::string("object"));
    if (want != got) {
      return absl::FailedPreconditionError(absl::StrCat("index ", index, ": field '", field,
                                                        "' is mapped as ", got, ", expected ", want,
                                                        " (rebuild it under a new --es-index)"));
    }
  }
  return absl::OkStatus();
}

std::string SourceJson(const ReviewDocument& d) {
  return Dump({{kReviewId, d.review_id},
               {kAsin, d.asin},
               {kTitle, d.title},
               {kBody, d.body},
               {kRating, d.rating},
               {kVerified, d.verified},
               {kCreatedAt, IsoTime(d.created)},
               {kCreatedNs, absl::ToUnixNanos(d.created)},
               {kHelpfulness, d.helpfulness},
               {kHelpfulVotes, d.helpful_votes},
               {kTotalVotes, d.total_votes}});
}

std::string BulkIndexBody(const std::vector<ReviewDocument>& documents) {
  std::string out;
  for (const ReviewDocument& d : documents) {
    absl::StrAppend(&out, Dump({{"index", {{"_id", d.review_id}}}}), "\n", SourceJson(d), "\n");
  }
  return out;
}

std::string BulkDeleteBody(const std::vector<std::string>& review_ids) {
  std::string out;
  for (const std::string& id : review_ids) {
    absl::StrAppend(&out, Dump({{"delete", {{"_id", id}}}}), "\n");
  }
  return out;
}

std::string BulkScoreBody(const std::vector<ScoreUpdate>& updates) {
  std::string out;
  for (const ScoreUpdate& u : updates) {
    absl::StrAppend(&out, Dump({{"update", {{"_id", u.review_id}, {"retry_on_conflict", 3}}}}),
                    "\n",
                    Dump({{"doc",
                           {{kHelpfulness, u.helpfulness},
                            {kHelpfulVotes, u.helpful_votes},
                            {kTotalVotes, u.total_votes}}}}),
                    "\n");
  }
  return out;
}

absl::StatusOr<std::vector<BulkItem>> ParseBulkResponse(absl::string_view body) {
  const json j = Parse(body);
  if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
    return absl::InternalError(
        absl::StrCat("Elasticsearch bulk: not a bulk response: ", body.substr(0, 200)));
  }
  std::vector<BulkItem> items;
  for (const json& entry : j["items"]) {
    if (!entry.is_object() || entry.empty()) {
      return absl::InternalError("Elasticsearch bulk: an item is not an object");
    }
    // Each item is a one-key object {action: result}; read it through a
    // named iterator (a structured binding on items().begin() would refer to
    // a temporary proxy that dies at the end of the statement).
    const auto first = entry.begin();
    const std::string& action = first.key();
    const json& item = first.value();
    BulkItem out;
    out.action = action;
    out.id = item.value("_id", std::string());
    out.status = item.value("status", 0);
    out.result = item.value("result", std::string());
    if (item.contains("error")) {
      const json& error = item["error"];
      if (error.is_object()) {
        out.error_type = error.value("type", std::string("error"));
        out.error_reason = error.value("reason", std::string());
      } else {
        out.error_type = "error";
        out.error_reason = error.is_string() ? error.get<std::string>() : error.dump();
      }
    }
    items.push_back(std::move(out));
  }
  return items;
}

TextQuery TranslateShopperQuery(absl::string_view query) {
  if (review::IsBlank(std::string_view(query.data(), query.size()))) return {};
  // Tokens split on white space outside "quotes"; brackets must balance outside them.
  std::vector<std::string> tokens;
  std::string current;
  bool quoted = false;
  int depth = 0;
  for (char c : query) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '(' || c == ')')) {
      depth += c == '(' ? 1 : -1;
      if (depth < 0) return PlainWords(query);
    }
    if (!quoted && absl::ascii_isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  if (quoted || depth != 0) return PlainWords(query);

  auto is_term = [](const std::string& t) {
    // Something left to search once operator characters are set aside ("" and a lone - are not).
    return !IsBooleanOperator(t) &&
           t.find_first_not_of(absl::StrCat(kShopperOperators, " ")) != std::string::npos;
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string t = tokens[i];
    if (IsBooleanOperator(t)) {
      // A binary operator between two terms (Xapian's NOT is "a NOT b": a AND NOT b).
      const bool after_term = i > 0 && is_term(tokens[i - 1]);
      const bool before_term = i + 1 < tokens.size() && is_term(tokens[i + 1]);
      if (!after_term || !before_term) return PlainWords(query);
      if (t == "OR") out.emplace_back("|");
      if (t == "NOT") {
        ++i;
        std::string next = tokens[i];
        SeparateEngineOperators(next);
        out.push_back(absl::StrCat("-", next));
      }
      continue;  // AND: the default operator
    }
    if (!is_term(t)) return PlainWords(query);
    SeparateEngineOperators(t);
    out.push_back(std::move(t));
  }
  return {.text = absl::StrJoin(out, " "), .plain = false};
}

std::string SearchBody(const SearchRequest& r, int64_t from, int64_t size) {
  json filters = json::array();
  filters.push_back({{"term", {{kAsin, r.asin}}}});
  if (!r.stars.empty()) filters.push_back({{"terms", {{kRating, r.stars}}}});
  if (r.verified) filters.push_back({{"term", {{kVerified, *r.verified}}}});
  if (r.from || r.to) {
    json range = json::object();
    if (r.from) range["gte"] = IsoTime(*r.from);
    if (r.to) range["lt"] = IsoTime(*r.to);  // `to` is exclusive
    filters.push_back({{"range", {{kCreatedAt, range}}}});
  }
  json bool_query = {{"filter", filters}};
  const TextQuery text = TranslateShopperQuery(r.query);
  const bool words = !review::IsBlank(r.query);
  if (words && review::IsBlank(text.text)) {
    // Nothing searchable left ("*", a lone "-"): no match, as an empty Xapian query.
    bool_query["must"] = json::array({json{{"match_none", json::object()}}});
  } else if (words) {
    json sqs = {
        {"query", text.text},
        {"fields", json::array({absl::StrCat(kTitle, "^2"), kBody})},  // a title word counts twice
        {"default_operator", "and"}};
    if (text.plain) {
      sqs["flags"] = "WHITESPACE";
    } else {
      sqs["flags"] = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE";
      sqs["quote_field_suffix"] = ".exact";  // phrases unstemmed, as Xapian matches them
    }
    bool_query["must"] = json::array({json{{"simple_query_string", sqs}}});
  }

  json sort;
  const json score = {{"_score", "desc"}};
  const json newest = {{kCreatedAt, "desc"}};
  const json helpful = {{kHelpfulness, "desc"}};
  const json tie = {{kReviewId, "asc"}};  // a total order, so pages never overlap
  switch (r.sort) {
    case SortOrder::kRelevance:
      sort = json::array({score, newest, tie});
      break;
    case SortOrder::kHelpfulness:
      sort = json::array({helpful, score, tie});
      break;
    case SortOrder::kNewest:
      sort = json::array({newest, score, tie});
      break;
  }

  // The recency buckets, as the Xapian backend counts them: within 30 days of `now` (or after
  // it), 30 to 365 days, older.
  const std::string day30 = IsoTime(r.now - absl::Hours(24 * 30));
  const std::string day365 = IsoTime(r.now - absl::Hours(24 * 365));
  json recency = {
      {"last_30_days", {{"range", {{kCreatedAt, {{"gte", day30}}}}}}},
      {"last_year", {{"range", {{kCreatedAt, {{"gte", day365}, {"lt", day30}}}}}}},
      {"older", {{"range", {{kCreatedAt, {{"lt", day365}}}}}}},
  };
  json aggs = {
      {"stars", {{"terms", {{"field", kRating}, {"size", 5}}}}},
      {"verified", {{"terms", {{"field", kVerified}, {"size", 2}}}}},
      {"recency", {{"filters", {{"filters", recency}}}}},
  };
  json highlight = {
      {"pre_tags", json::array({kPre})},
      {"post_tags", json::array({kPost})},
      {"fields",
       {{kBody,
         {{"type", "unified"},
          {"fragment_size", kSnippetChars},
          {"number_of_fragments", 1},
          {"no_match_size", kSnippetChars},  // the body's start when no word of it matched
          // Words the query matched through title^2 or body.exact are marked in the body too.
          {"require_field_match", false}}}}},
  };
  if (bool_query.contains("must")) {
    // Only the words are marked: the product and filter terms are not the shopper's.
    highlight["fields"][kBody]["highlight_query"] = bool_query["must"][0];
  }
  json body = {
      {"from", from},         {"size", size},           {"track_total_hits", true},
      {"track_scores", true}, {"sort", sort},           {"query", {{"bool", bool_query}}},
      {"aggs", aggs},         {"highlight", highlight},
  };
  return Dump(body);
}

absl::StatusOr<SearchResult> ParseSearchResponse(absl::string_view body, bool words) {
  const json j = Parse(body);
  if (!j.is_object() || !j.contains("hits")) {
    return absl::InternalError(
        absl::StrCat("Elasticsearch search: not a search response: ", body.substr(0, 200)));
  }
  if (j.value("timed_out", false)) {
    return absl::UnavailableError("Elasticsearch search: timed out (partial results)");
  }
  if (j.contains("_shards") && j["_shards"].value("failed", 0) > 0) {
    std::string reason;
    if (const json& failures = j["_shards"].value("failures", json::array());
        failures.is_array() && !failures.empty()) {
      reason = failures[0].value("reason", json::object()).value("reason", std::string());
    }
    return absl::UnavailableError(absl::StrCat(
        "Elasticsearch search: ", j["_shards"].value("failed", 0),
        " shards failed (counts would not be exact)", reason.empty() ? "" : ": ", reason));
  }
  SearchResult result;
  try {
    const json& hits = j.at("hits");
    const json& total = hits.at("total");
    // {"value": n, "relation": "eq"} (7+), or a number (OpenSearch with rest_total_hits_as_int).
    result.total = total.is_object() ? total.at("value").get<int64_t>() : total.get<int64_t>();
    for (const json& hit : hits.at("hits")) {
      absl::StatusOr<ReviewDocument> review = DocumentOf(hit.at("_source"));
      if (!review.ok()) return review.status();
      SearchHit out;
      const json& score = hit.value("_score", json());
      out.relevance = words && score.is_number() ? score.get<double>() : 0;
      std::string fragment = Prefix(review->body, kSnippetChars);
      if (hit.contains("highlight") && hit["highlight"].contains(kBody) &&
          !hit["highlight"][kBody].empty()) {
        fragment = hit["highlight"][kBody][0].get<std::string>();
      }
      out.snippet = Snippet(fragment, review->body);
      out.review = *std::move(review);
      result.hits.push_back(std::move(out));
    }
    const json& aggs = j.at("aggregations");
    for (const json& bucket : aggs.at("stars").at("buckets")) {
      const int64_t star = bucket.at("key").get<int64_t>();
      if (star >= 1 && star <= 5) result.facets.stars[star - 1] = bucket.at("doc_count");
    }
    for (const json& bucket : aggs.at("verified").at("buckets")) {
      // A boolean's terms key is 1 / 0 (key_as_string "true" / "false").
      const json& key = bucket.at("key");
      const bool verified = key.is_boolean() ? key.get<bool>() : key.get<int64_t>() != 0;
      (verified ? result.facets.verified : result.facets.unverified) =
          bucket.at("doc_count").get<int64_t>();
    }
    const json& recency = aggs.at("recency").at("buckets");
    result.facets.last_30_days = recency.at("last_30_days").at("doc_count");
    result.facets.last_year = recency.at("last_year").at("doc_count");
    result.facets.older = recency.at("older").at("doc_count");
  } catch (const json::exception& e) {
    return absl::InternalError(
        absl::StrCat("Elasticsearch search: unexpected response shape: ", e.what()));
  }
  return result;
}

std::string IdsPageBody(absl::string_view after, int size) {
  json body = {{"size", size},
               {"_source", false},
               {"track_total_hits", false},
               {"query", {{"match_all", json::object()}}},
               {"sort", json::array({json{{kReviewId, "asc"}}})}};
  if (!after.empty()) body["search_after"] = json::array({std::string(after)});
  return Dump(body);
}

absl::StatusOr<std::vector<std::string>> ParseIdsPage(absl::string_view body) {
  const json j = Parse(body);
  std::vector<std::string> ids;
  try {
    for (const json& hit : j.at("hits").at("hits")) ids.push_back(hit.at("_id"));
  } catch (const json::exception& e) {
    return absl::InternalError(
        absl::StrCat("Elasticsearch search: unexpected response shape: ", e.what()));
  }
  return ids;
}

absl::StatusOr<int64_t> ParseCount(absl::string_view body) {
  const json j = Parse(body);
  if (!j.is_object() || !j.contains("count") || !j["count"].is_number_integer()) {
    return absl::InternalError(
        absl::StrCat("Elasticsearch _count: not a count response: ", body.substr(0, 200)));
  }
  return j["count"].get<int64_t>();
}

std::string ErrorType(absl::string_view body) {
  const json j = Parse(body);
  if (!j.is_object() || !j.contains("error")) return "";
  const json& error = j["error"];
  return error.is_object() ? error.value("type", std::string()) : "";
}

absl::Status ErrorStatus(long http_status,  // NOLINT(google-runtime-int)
                         absl::string_view body, absl::string_view what) {
  if (http_status >= 200 && http_status < 300) return absl::OkStatus();
  // {"error": {"type": ..., "reason": ..., "root_cause": [...]}, "status": n}; some proxies and
  // old versions answer {"error": "text"} or plain text.
  std::string detail;
  const json j = Parse(body);
  if (j.is_object() && j.contains("error")) {
    const json& error = j["error"];
    if (error.is_object()) {
      detail = absl::StrCat(error.value("type", std::string("error")), ": ",
                            error.value("reason", std::string()));
      if (error.contains("caused_by") && error["caused_by"].is_object()) {
        absl::StrAppend(&detail, " (caused by ", error["caused_by"].value("reason", std::string()),
                        ")");
      }
    } else if (error.is_string()) {
      detail = error.get<std::string>();
    }
  }
  if (detail.empty()) detail = std::string(absl::StripAsciiWhitespace(body.substr(0, 200)));
  const std::string message =
      absl::StrCat(what, ": Elasticsearch answered HTTP ", http_status, ": ", detail);
  if (http_status == 404) return absl::NotFoundError(message);
  if (http_status == 401 || http_status == 403) return absl::PermissionDeniedError(message);
  if (http_status == 408 || http_status == 429 || (http_status >= 500 && http_status < 600)) {
    return absl::UnavailableError(message);
  }
  if (http_status == 409) return absl::AbortedError(message);
  if (http_status >= 400 && http_status < 500) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

}  // namespace candor::search::es
