#include "libs/search/xapian_index.h"

#include <xapian.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/review/validation.h"
#include "libs/search/search_request.h"
#include "nlohmann/json.hpp"

namespace candor::search {
namespace {

// Terms (README.md, "Xapian layout"). Boolean terms carry an upper-case prefix and a colon, as
// Xapian's conventions ask for values that may start with an upper-case letter.
constexpr char kIdPrefix[] = "Q";  // Q<review id>: the unique id term replace_document keys on
constexpr char kAsinPrefix[] = "XP:";
constexpr char kStarsPrefix[] = "XS:";
constexpr char kVerifiedPrefix[] = "XV:";

// Value slots.
constexpr Xapian::valueno kSlotCreated = 0;      // sortable_serialise(seconds since 1970)
constexpr Xapian::valueno kSlotHelpfulness = 1;  // sortable_serialise(helpfulness)
constexpr Xapian::valueno kSlotRating = 2;       // "1".."5"
constexpr Xapian::valueno kSlotVerified = 3;     // "1" / "0"
// What the facets count, in one slot: rating ('1'..'5'), verified ('1' / '0'), then
// sortable_serialise(seconds since 1970) of the creation. The facet spy reads it for every match;
// one slot instead of three keeps Xapian's per-slot value cursor on its chunk from match to match
// (alternating slots made it seek the B-tree again for each value: 15 us per match on a
// 1,000,000-review index, bench/README.md "Search").
constexpr Xapian::valueno kSlotFacets = 4;

constexpr Xapian::termcount kSnippetBytes = 240;
constexpr Xapian::termcount kTitleWeight = 2;  // a word in the title counts twice
constexpr Xapian::termcount kMaxWildcardTerms = 64;

double Seconds(absl::Time t) { return absl::ToDoubleSeconds(t - absl::UnixEpoch()); }

std::string IdTerm(std::string_view review_id) {
  return absl::StrCat(kIdPrefix, absl::string_view(review_id.data(), review_id.size()));
}

// One stemmer per thread: Xapian's handles count their references without atomics, so the
// copies a QueryParser or a TermGenerator takes of one shared Stem would race between threads
// searching through different XapianSearchIndex handles (XapianReaderPool).
const Xapian::Stem& English() {
  thread_local const Xapian::Stem kStem("english");
  return kStem;
}

std::string EncodeData(const ReviewDocument& d) {
  nlohmann::json j = {{"id", d.review_id},
                      {"asin", d.asin},
                      {"title", d.title},
                      {"body", d.body},
                      {"rating", d.rating},
                      {"verified", d.verified},
                      {"created_ns", absl::ToUnixNanos(d.created)},
                      {"helpfulness", d.helpfulness},
                      {"helpful", d.helpful_votes},
                      {"total", d.total_votes}};
  return j.dump();
}

absl::StatusOr<ReviewDocument> DecodeData(const std::string& data) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("search index: a document's data is not JSON");
  }
  ReviewDocument d;
  try {
    d.review_id = j.at("id").get<std::string>();
    d.asin = j.at("asin").get<std::string>();
    d.title = j.at("title").get<std::string>();
    d.body = j.at("body").get<std::string>();
    d.rating = j.at("rating").get<int32_t>();
    d.verified = j.at("verified").get<bool>();
    d.created = absl::FromUnixNanos(j.at("created_ns").get<int64_t>());
    d.helpfulness = j.at("helpfulness").get<double>();
    d.helpful_votes = j.at("helpful").get<int64_t>();
    d.total_votes = j.at("total").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("search index: a document's data lacks a field: ", e.what()));
  }
  return d;
}

void SetScoreValues(Xapian::Document& doc, double helpfulness) {
  doc.add_value(kSlotHelpfulness, Xapian::sortable_serialise(helpfulness));
}

Xapian::Document BuildDocument(const ReviewDocument& d) {
  Xapian::Document doc;
  doc.set_data(EncodeData(d));
  doc.add_boolean_term(IdTerm(d.review_id));
  doc.add_boolean_term(absl::StrCat(kAsinPrefix, d.asin));
  doc.add_boolean_term(absl::StrCat(kStarsPrefix, d.rating));
  doc.add_boolean_term(absl::StrCat(kVerifiedPrefix, d.verified ? "1" : "0"));
  doc.add_value(kSlotCreated, Xapian::sortable_serialise(Seconds(d.created)));
  SetScoreValues(doc, d.helpfulness);
  doc.add_value(kSlotRating, absl::StrCat(d.rating));
  doc.add_value(kSlotVerified, d.verified ? "1" : "0");
  doc.add_value(kSlotFacets, absl::StrCat(d.rating, d.verified ? "1" : "0",
                                          Xapian::sortable_serialise(Seconds(d.created))));
  Xapian::TermGenerator indexer;
  indexer.set_stemmer(English());
  indexer.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  indexer.set_document(doc);
  indexer.index_text(d.title, kTitleWeight);
  indexer.increase_termpos();  // no phrase across the title's end and the body's start
  indexer.index_text(d.body);
  return doc;
}

// A packed kSlotFacets value ("<stars><verified 0/1><sortable created>") as a row of the facet
// table; rating 0 when the value is not one (a document written before kSlotFacets existed).
FacetRow UnpackFacets(const std::string& packed) {
  FacetRow row;
  if (packed.size() > 2 && packed[0] >= '1' && packed[0] <= '5') {
    row.rating = static_cast<uint8_t>(packed[0] - '0');
    row.verified = packed[1] == '1';
    row.created_s = Xapian::sortable_unserialise(packed.substr(2));
  }
  return row;
}

// Counts the facets over every matching document (the matcher calls it once per match; the
// search asks for an exact count so it sees them all). A match's stars, verification and date
// come from the handle's facet table by document id (memory, no B-tree seek); a document the
// table does not know is read from its values.
class FacetSpy final : public Xapian::MatchSpy {
 public:
  FacetSpy(absl::Time now, const std::vector<FacetRow>& table)
      : now_s_(Seconds(now)), table_(table) {}

  void operator()(const Xapian::Document& doc, double /*wt*/) override {
    const Xapian::docid id = doc.get_docid();
    FacetRow row = id < table_.size() ? table_[id] : FacetRow{};
    if (row.rating == 0) row = Read(doc);
    if (row.rating >= 1 && row.rating <= 5) ++facets_.stars[row.rating - 1];
    (row.verified ? facets_.verified : facets_.unverified)++;
    const double age_days = (now_s_ - row.created_s) / 86400.0;
    if (age_days <= 30) {
      ++facets_.last_30_days;
    } else if (age_days <= 365) {
      ++facets_.last_year;
    } else {
      ++facets_.older;
    }
  }

  const Facets& facets() const { return facets_; }

 private:
  static FacetRow Read(const Xapian::Document& doc) {
    FacetRow row = UnpackFacets(doc.get_value(kSlotFacets));
    if (row.rating != 0) return row;
    // A document written before kSlotFacets existed: its three slots.
    const std::string rating = doc.get_value(kSlotRating);
    if (rating.size() == 1 && rating[0] >= '1' && rating[0] <= '5') {
      row.rating = static_cast<uint8_t>(rating[0] - '0');
    }
    row.verified = doc.get_value(kSlotVerified) == "1";
    row.created_s = Xapian::sortable_unserialise(doc.get_value(kSlotCreated));
    return row;
  }

  const double now_s_;
  const std::vector<FacetRow>& table_;
  Facets facets_;
};

// A shopper's words as a Xapian query: words (stemmed), "phrases", +required, -excluded,
// AND / OR / NOT, prefix*. Syntax the parser refuses (an unbalanced quote, a stray operator) is
// searched as plain words instead of failing the request.
Xapian::Query ParseShopperQuery(const std::string& text, const Xapian::Database& db) {
  if (review::IsBlank(text)) return Xapian::Query::MatchAll;
  Xapian::QueryParser parser;
  parser.set_stemmer(English());
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_AND);
  parser.set_database(db);
  parser.set_max_expansion(kMaxWildcardTerms, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
  const unsigned rich = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE |
                        Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_WILDCARD;
  try {
    return parser.parse_query(text, rich);
  } catch (const Xapian::QueryParserError&) {
    // Plain words: the parser's flags off, every operator character a separator.
    std::string words = text;
    for (char& c : words) {
      if (c == '"' || c == '(' || c == ')' || c == '+' || c == '-' || c == '*') c = ' ';
    }
    return parser.parse_query(words, 0);
  }
}

Xapian::Query FilterOf(const SearchRequest& r) {
  Xapian::Query filter(absl::StrCat(kAsinPrefix, r.asin));
  if (!r.stars.empty()) {
    std::vector<Xapian::Query> any;
    for (int32_t s : r.stars) any.emplace_back(absl::StrCat(kStarsPrefix, s));
    filter = Xapian::Query(Xapian::Query::OP_FILTER, filter,
                           Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end()));
  }
  if (r.verified) {
    filter = Xapian::Query(Xapian::Query::OP_FILTER, filter,
                           Xapian::Query(absl::StrCat(kVerifiedPrefix, *r.verified ? "1" : "0")));
  }
  if (r.from || r.to) {
    const double lo = r.from ? Seconds(*r.from) : -std::numeric_limits<double>::max();
    // `to` is exclusive: the largest double below it.
    const double hi = r.to ? std::nextafter(Seconds(*r.to), -std::numeric_limits<double>::max())
                           : std::numeric_limits<double>::max();
    filter = Xapian::Query(
        Xapian::Query::OP_FILTER, filter,
        Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kSlotCreated, Xapian::sortable_serialise(lo),
                      Xapian::sortable_serialise(hi)));
  }
  return filter;
}

absl::Status FromXapian(const Xapian::Error& e, const char* what, const std::string& dir) {
  const std::string message =
      absl::StrCat("search index ", dir, ": ", what, ": ", e.get_description());
  // Xapian's exceptions carry their class name (they are not polymorphic to dynamic_cast).
  const std::string type = e.get_type();
  if (type == "DatabaseCorruptError" || type == "DatabaseVersionError" ||
      type == "DatabaseOpeningError" || type == "DatabaseNotFoundError") {
    return absl::DataLossError(absl::StrCat(message, "; ", XapianSearchIndex::kRebuildHint));
  }
  if (type == "DatabaseLockError") {
    return absl::FailedPreconditionError(
        absl::StrCat(message, " (another process writes this index: one index-writer per index)"));
  }
  return absl::InternalError(message);
}

}  // namespace

XapianSearchIndex::XapianSearchIndex(std::string dir, Mode mode)
    : dir_(std::move(dir)), mode_(mode) {}

XapianSearchIndex::~XapianSearchIndex() {
  if (writer_ == nullptr) return;
  try {
    writer_->commit();
    writer_->close();
  } catch (const Xapian::Error&) {  // nothing to tell anyone at this point; not committed
  }
}

absl::StatusOr<std::unique_ptr<XapianSearchIndex>> XapianSearchIndex::Open(const std::string& dir,
                                                                           Mode mode) {
  std::unique_ptr<XapianSearchIndex> index(new XapianSearchIndex(dir, mode));
  std::error_code ec;
  if (mode == Mode::kRead && !std::filesystem::exists(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("search index ", dir,
                                            ": no such directory (start index-writer first, or "
                                            "rebuild: ",
                                            kRebuildHint, ")"));
  }
  try {
    if (mode == Mode::kWrite) {
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        return absl::FailedPreconditionError(
            absl::StrCat("search index ", dir, ": cannot create the directory: ", ec.message()));
      }
      index->writer_ = std::make_unique<Xapian::WritableDatabase>(
          dir, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
      // Read every table's root now, so a corrupt index is refused at start, not at the first
      // write.
      (void)index->writer_->get_doccount();
      (void)index->writer_->get_lastdocid();
      (void)index->writer_->postlist_begin(IdTerm(""));
    } else {
      index->reader_ = std::make_unique<Xapian::Database>(dir);
      (void)index->reader_->get_doccount();
    }
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "open", dir);
  }
  return index;
}

absl::Status XapianSearchIndex::Upsert(const std::vector<ReviewDocument>& documents) {
  if (writer_ == nullptr) return absl::FailedPreconditionError("search index opened read-only");
  if (absl::Status s = ValidateReviewDocuments(documents); !s.ok()) return s;
  std::lock_guard lock(mu_);
  try {
    // A new document id each time (never replace_document in place): the facet values a
    // document id holds then never change, which the readers' facet tables rely on.
    for (const ReviewDocument& d : documents) {
      writer_->delete_document(IdTerm(d.review_id));
      writer_->add_document(BuildDocument(d));
    }
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "upsert", dir_);
  }
  return absl::OkStatus();
}

absl::Status XapianSearchIndex::Remove(const std::vector<std::string>& review_ids) {
  if (writer_ == nullptr) return absl::FailedPreconditionError("search index opened read-only");
  std::lock_guard lock(mu_);
  try {
    for (const std::string& id : review_ids) writer_->delete_document(IdTerm(id));
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "remove", dir_);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> XapianSearchIndex::UpdateScores(const std::vector<ScoreUpdate>& updates) {
  if (writer_ == nullptr) return absl::FailedPreconditionError("search index opened read-only");
  std::lock_guard lock(mu_);
  int64_t found = 0;
  try {
    for (const ScoreUpdate& u : updates) {
      Xapian::PostingIterator it = writer_->postlist_begin(IdTerm(u.review_id));
      if (it == writer_->postlist_end(IdTerm(u.review_id))) continue;
      Xapian::Document doc = writer_->get_document(*it);
      absl::StatusOr<ReviewDocument> review = DecodeData(doc.get_data());
      if (!review.ok()) return review.status();
      review->helpfulness = u.helpfulness;
      review->helpful_votes = u.helpful_votes;
      review->total_votes = u.total_votes;
      doc.set_data(EncodeData(*review));
      SetScoreValues(doc, u.helpfulness);
      writer_->replace_document(*it, doc);
      ++found;
    }
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "update scores", dir_);
  }
  return found;
}

absl::Status XapianSearchIndex::Commit() {
  if (writer_ == nullptr) return absl::OkStatus();
  std::lock_guard lock(mu_);
  try {
    writer_->commit();
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "commit", dir_);
  }
  return absl::OkStatus();
}

absl::StatusOr<SearchResult> XapianSearchIndex::Search(const SearchRequest& request) {
  if (absl::Status s = ValidateSearchRequest(request); !s.ok()) return s;
  absl::StatusOr<int64_t> offset = DecodeCursor(request);
  if (!offset.ok()) return offset.status();
  const int64_t size = std::min<int64_t>(request.page_size, kMaxResultWindow - *offset);

  std::lock_guard lock(mu_);
  // A reader sees the last commit; a reopen is cheap when nothing changed. One retry when the
  // writer moved on under a long search (DatabaseModifiedError).
  for (int attempt = 0;; ++attempt) {
    try {
      if (reader_ != nullptr) reader_->reopen();
      const Xapian::Database& db = reader_ != nullptr ? *reader_ : *writer_;
      Xapian::Enquire enquire(db);
      enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
                                      ParseShopperQuery(request.query, db), FilterOf(request)));
      switch (request.sort) {
        case SortOrder::kRelevance:
          enquire.set_sort_by_relevance_then_value(kSlotCreated, /*reverse=*/true);
          break;
        case SortOrder::kHelpfulness:
          enquire.set_sort_by_value_then_relevance(kSlotHelpfulness, /*reverse=*/true);
          break;
        case SortOrder::kNewest:
          enquire.set_sort_by_value_then_relevance(kSlotCreated, /*reverse=*/true);
          break;
      }
      RefreshFacetTable(db);
      FacetSpy spy(request.now, facet_table_);
      enquire.add_matchspy(&spy);
      const Xapian::MSet mset =
          enquire.get_mset(static_cast<Xapian::doccount>(*offset),
                           static_cast<Xapian::doccount>(size), db.get_doccount());
      SearchResult result;
      result.total = mset.get_matches_estimated();  // exact: every match was checked
      result.facets = spy.facets();
      const bool words = !review::IsBlank(request.query);
      for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        absl::StatusOr<ReviewDocument> review = DecodeData(it.get_document().get_data());
        if (!review.ok()) return review.status();
        SearchHit hit;
        hit.relevance = words ? it.get_weight() : 0;
        hit.snippet = mset.snippet(review->body, kSnippetBytes, English(),
                                   Xapian::MSet::SNIPPET_EXHAUSTIVE, "<b>", "</b>", "...");
        hit.review = *std::move(review);
        result.hits.push_back(std::move(hit));
      }
      const int64_t next = *offset + static_cast<int64_t>(result.hits.size());
      if (next < result.total && next < kMaxResultWindow && !result.hits.empty()) {
        result.next_cursor = EncodeCursor(request, next);
      }
      return result;
    } catch (const Xapian::DatabaseModifiedError& e) {
      if (attempt > 0) return FromXapian(e, "search", dir_);
    } catch (const Xapian::Error& e) {
      return FromXapian(e, "search", dir_);
    }
  }
}

void XapianSearchIndex::RefreshFacetTable(const Xapian::Database& db) {
  const Xapian::docid last = db.get_lastdocid();
  // Another database under the same directory (a rebuild moved a new one in): its ids mean
  // other documents.
  if (std::string uuid = db.get_uuid(); uuid != facet_uuid_ || last + 1 < facet_table_.size()) {
    facet_table_.clear();
    facet_uuid_ = std::move(uuid);
  }
  if (last < facet_table_.size()) return;
  const Xapian::docid first = static_cast<Xapian::docid>(facet_table_.size());
  facet_table_.resize(static_cast<size_t>(last) + 1);
  Xapian::ValueIterator v = db.valuestream_begin(kSlotFacets);
  const Xapian::ValueIterator end = db.valuestream_end(kSlotFacets);
  if (v != end && first > 1) v.skip_to(first);
  for (; v != end; ++v) {
    const Xapian::docid id = v.get_docid();
    if (id > last) break;
    facet_table_[id] = UnpackFacets(*v);
  }
}

absl::Status XapianSearchIndex::ForEachReviewId(const std::function<void(std::string_view)>& fn) {
  std::lock_guard lock(mu_);
  try {
    if (reader_ != nullptr) reader_->reopen();
    const Xapian::Database& db = reader_ != nullptr ? *reader_ : *writer_;
    for (Xapian::TermIterator it = db.allterms_begin(kIdPrefix); it != db.allterms_end(kIdPrefix);
         ++it) {
      const std::string term = *it;
      fn(std::string_view(term).substr(std::string_view(kIdPrefix).size()));
    }
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "list", dir_);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> XapianSearchIndex::DocumentCount() {
  std::lock_guard lock(mu_);
  try {
    if (reader_ != nullptr) reader_->reopen();
    return static_cast<int64_t>(reader_ != nullptr ? reader_->get_doccount()
                                                   : writer_->get_doccount());
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "count", dir_);
  }
}

}  // namespace candor::search
