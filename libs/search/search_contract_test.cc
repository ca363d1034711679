// The query suite every SearchIndex backend answers alike: the same documents, the same
// requests, the same expected hits, totals, facets, sorts, cursors, snippets and errors.
// Xapian runs always (a temporary directory). Elasticsearch / OpenSearch runs when
// $CANDOR_ES_URL names a server (each test in an index of its own, deleted afterwards); without
// it, each Elasticsearch test is SKIPPED with a message saying how to run it (there is no
// Elasticsearch server on the development machines: no container engine, no Debian package).

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/search/es_index.h"
#include "libs/search/search_request.h"
#include "libs/search/search_testing.h"
#include "libs/search/xapian_index.h"
#include "libs/testing/temp_dir.h"

// Requests are written with designated initializers naming only what each test sets; GCC 12
// warns for the optional and vector members left to their defaults even though they have them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace candor::search {
namespace {

constexpr char kXapian[] = "xapian";
constexpr char kElasticsearch[] = "elasticsearch";
constexpr char kSkipped[] =
    "Elasticsearch contract SKIPPED: CANDOR_ES_URL is not set, and this machine has no "
    "Elasticsearch server. To run it against Elasticsearch 7.10+/8 or OpenSearch 1/2: "
    "CANDOR_ES_URL=http://127.0.0.1:9200 ctest --test-dir build/dev -R search_contract_es "
    "--output-on-failure";

using testing::Doc;
using testing::Id;

const absl::Time kNow = testing::SampleNow();

class SearchContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == kElasticsearch) {
      const char* url = std::getenv("CANDOR_ES_URL");
      if (url == nullptr || *url == '\0') GTEST_SKIP() << kSkipped;
      static std::atomic<int> next{0};
      auto es = ElasticsearchIndex::Open(
          {.url = url,
           .index = absl::StrFormat("candor-contract-%d-%d", getpid(), next++),
           .mode = ElasticsearchIndex::Mode::kWrite});
      ASSERT_TRUE(es.ok()) << es.status();
      es_ = es->get();
      index_ = *std::move(es);
    } else {
      dir_.emplace("candor-contract");
      auto xapian = XapianSearchIndex::Open(dir_->Path("index"), XapianSearchIndex::Mode::kWrite);
      ASSERT_TRUE(xapian.ok()) << xapian.status();
      index_ = *std::move(xapian);
    }
    ASSERT_TRUE(index_->Upsert(testing::GuitarAndTunerReviews()).ok());
    ASSERT_TRUE(index_->Commit().ok());
  }
  void TearDown() override {
    if (es_ != nullptr) {
      EXPECT_TRUE(es_->DeleteIndex().ok());
    }
    index_.reset();
  }

  SearchResult MustSearch(SearchRequest r) {
    r.now = kNow;
    absl::StatusOr<SearchResult> result = index_->Search(r);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : SearchResult{};
  }
  static std::vector<std::string> Ids(const SearchResult& r) {
    std::vector<std::string> ids;
    for (const SearchHit& h : r.hits) ids.push_back(h.review.review_id);
    return ids;
  }

  std::optional<candor::testing::TempDir> dir_;  // Xapian's
  std::unique_ptr<SearchIndex> index_;           // closed before dir_ goes
  ElasticsearchIndex* es_ = nullptr;
};

TEST_P(SearchContractTest, StemmedWordsWithinOneProduct) {
  // "buzz" finds "buzz" and "Buzzing" (English stemming), only in the guitar's reviews.
  SearchResult r = MustSearch({.asin = "B000GUITAR", .query = "buzz"});
  EXPECT_EQ(r.total, 3);
  const std::vector<std::string> hits = Ids(r);
  std::set<std::string> ids(hits.begin(), hits.end());
  EXPECT_EQ(ids, (std::set<std::string>{Id(1), Id(2), Id(4)}));
  // Words are ANDed: "tuner battery" is review 3 for the guitar and review 5 for the tuner.
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "tuner battery"})),
            std::vector<std::string>{Id(3)});
  EXPECT_EQ(Ids(MustSearch({.asin = "B000TUNERS", .query = "tuner battery"})),
            std::vector<std::string>{Id(5)});
  EXPECT_EQ(MustSearch({.asin = "B000NOTHIN", .query = "buzz"}).total, 0);
  // A word of the title and one of the body match together.
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "value money"})),
            std::vector<std::string>{Id(3)});
}

TEST_P(SearchContractTest, FiltersAndFacetsCountEveryMatch) {
  SearchResult all = MustSearch({.asin = "B000GUITAR", .page_size = 1});
  EXPECT_EQ(all.total, 4);
  EXPECT_EQ(all.hits.size(), 1u);
  EXPECT_EQ(all.facets, (Facets{.stars = {1, 1, 0, 1, 1},
                                .verified = 2,
                                .unverified = 2,
                                .last_30_days = 2,
                                .last_year = 1,
                                .older = 1}));

  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .stars = {1, 2}}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .verified = false}).total, 2);
  SearchResult recent =
      MustSearch({.asin = "B000GUITAR", .from = kNow - absl::Hours(24 * 30), .to = kNow});
  EXPECT_EQ(recent.total, 2);
  EXPECT_EQ(recent.facets.last_30_days, 2);
  EXPECT_EQ(recent.facets.older, 0);
  // `to` is exclusive, `from` inclusive.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .to = kNow - absl::Hours(24 * 10)}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .from = kNow - absl::Hours(24 * 10)}).total, 2);
  // Facets follow the words and the filters.
  SearchResult buzz = MustSearch({.asin = "B000GUITAR", .query = "buzz", .verified = true});
  EXPECT_EQ(buzz.total, 2);
  EXPECT_EQ(buzz.facets,
            (Facets{.stars = {0, 1, 0, 0, 1}, .verified = 2, .last_30_days = 1, .last_year = 1}));
}

TEST_P(SearchContractTest, ThreeSorts) {
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kNewest})),
            (std::vector<std::string>{Id(4), Id(1), Id(2), Id(3)}));
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kHelpfulness})),
            (std::vector<std::string>{Id(2), Id(4), Id(3), Id(1)}));
  // Relevance: the review that says "buzz" in its title and body ranks first.
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "strings buzz"})).front(), Id(1));
  // An empty query has no relevance: 0 for every hit.
  for (const SearchHit& h : MustSearch({.asin = "B000GUITAR"}).hits) {
    EXPECT_EQ(h.relevance, 0);
  }
}

TEST_P(SearchContractTest, SnippetsHighlightAndEscape) {
  SearchResult r = MustSearch({.asin = "B000GUITAR", .query = "action"});
  ASSERT_EQ(r.hits.size(), 1u);
  const std::string& s = r.hits[0].snippet;
  EXPECT_NE(s.find("&amp;"), std::string::npos) << s;
  EXPECT_NE(s.find("&lt;b&gt;<b>action</b>&lt;/b&gt;"), std::string::npos) << s;
  EXPECT_GT(r.hits[0].relevance, 0);
  EXPECT_EQ(r.hits[0].review.title, "Buzzing mess");
  // Stored reviews come back whole.
  SearchResult one = MustSearch({.asin = "B000TUNERS"});
  ASSERT_EQ(one.hits.size(), 1u);
  EXPECT_EQ(one.hits[0].review,
            Doc(5, "B000TUNERS", 5, true, 1, "Tuner", "Accurate tuner, battery lasts months."));
}

TEST_P(SearchContractTest, CursorPagesThroughAndRefusesForeignOrForged) {
  SearchRequest first{.asin = "B000GUITAR", .sort = SortOrder::kNewest, .page_size = 3};
  SearchResult p1 = MustSearch(first);
  ASSERT_EQ(p1.hits.size(), 3u);
  ASSERT_FALSE(p1.next_cursor.empty());
  SearchRequest second = first;
  second.cursor = p1.next_cursor;
  SearchResult p2 = MustSearch(second);
  EXPECT_EQ(Ids(p2), std::vector<std::string>{Id(3)});
  EXPECT_TRUE(p2.next_cursor.empty());
  EXPECT_EQ(p2.total, 4);

  SearchRequest other = second;
  other.sort = SortOrder::kHelpfulness;
  other.now = kNow;
  EXPECT_EQ(index_->Search(other).status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* forged : {"garbage", "c1-3-", "c1-zz-0000000000000000", "c2-3-0123456789abcdef",
                             "c1-ffffffffff-0123456789abcdef"}) {
    SearchRequest bad = first;
    bad.cursor = forged;
    bad.now = kNow;
    absl::StatusOr<SearchResult> r = index_->Search(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << forged;
    EXPECT_NE(r.status().message().find("cursor"), std::string::npos) << r.status();
  }
  SearchRequest deep = first;
  deep.cursor = EncodeCursor(first, kMaxResultWindow);
  deep.now = kNow;
  EXPECT_EQ(index_->Search(deep).status().code(), absl::StatusCode::kInvalidArgument);
  // The last page of the window is still served.
  SearchRequest last = first;
  last.cursor = EncodeCursor(first, kMaxResultWindow - 1);
  EXPECT_TRUE(MustSearch(last).hits.empty());
}

TEST_P(SearchContractTest, ShopperSyntaxNeverFails) {
  for (const char* q :
       {"\"string buzz", "buzz AND", "OR", "((buzz", "-", "+", "*", "\"\"", "buzz NOT NOT", "b*",
        "tuner -battery", "!!!", "ñandú ☃ 弦", "a|b~2\\", "buzz)"}) {
    SearchRequest r{.asin = "B000GUITAR", .query = q, .now = kNow};
    absl::StatusOr<SearchResult> result = index_->Search(r);
    EXPECT_TRUE(result.ok()) << q << ": " << result.status();
  }
  // The plain-words fallback still finds what the words say.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "\"tuner battery"}).total, 1);
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "\"string buzz\""})),
            std::vector<std::string>{Id(2)});  // a phrase: unstemmed, so not "strings buzz"
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz -fret"}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz NOT fret"}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "fret OR tuner"}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "+warm"}).total, 1);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "fre*"}).total, 1);
}

TEST_P(SearchContractTest, BadRequestsNameTheField) {
  auto code_and_message = [&](SearchRequest r) {
    r.now = kNow;
    absl::Status s = index_->Search(r).status();
    return std::make_pair(s.code(), std::string(s.message()));
  };
  EXPECT_EQ(code_and_message({.asin = ""}).first, absl::StatusCode::kInvalidArgument);
  auto [code, message] = code_and_message({.asin = "B000GUITAR", .query = std::string(10000, 'a')});
  EXPECT_EQ(code, absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(message.starts_with("query:")) << message;
  EXPECT_TRUE(
      code_and_message({.asin = "B000GUITAR", .query = "bu\x01zz"}).second.starts_with("query:"));
  EXPECT_TRUE(
      code_and_message({.asin = "B000GUITAR", .query = "\xff\xfe"}).second.starts_with("query:"));
  EXPECT_TRUE(code_and_message({.asin = "B000GUITAR", .stars = {6}}).second.starts_with("stars:"));
  EXPECT_TRUE(code_and_message({.asin = "B000GUITAR", .page_size = 10000})
                  .second.starts_with("page_size:"));
  EXPECT_TRUE(code_and_message({.asin = "B000GUITAR", .from = kNow, .to = kNow})
                  .second.starts_with("from:"));
}

TEST_P(SearchContractTest, UpsertIsIdempotentRemoveAndRestore) {
  ASSERT_TRUE(index_->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz", "Edited?")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(*index_->DocumentCount(), 5);
  ASSERT_TRUE(index_->Remove({Id(1), Id(99)}).ok());  // 99 was never indexed: not an error
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz"}).total, 2);
  EXPECT_EQ(*index_->DocumentCount(), 4);
  ASSERT_TRUE(index_->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz", "Back.")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz"}).total, 3);
  std::set<std::string> ids;
  ASSERT_TRUE(index_->ForEachReviewId([&](std::string_view id) { ids.emplace(id); }).ok());
  EXPECT_EQ(ids, (std::set<std::string>{Id(1), Id(2), Id(3), Id(4), Id(5)}));
  EXPECT_EQ(index_->Upsert({Doc(6, "B000GUITAR", 9, true, 1, "x", "y")}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SearchContractTest, ForEachReviewIdListsMoreThanAPage) {
  std::vector<ReviewDocument> many;
  for (int n = 100; n < 100 + 2600; ++n) {
    many.push_back(Doc(n, "B000MANYRV", 1 + n % 5, n % 2 == 0, n % 900, "t", "body"));
  }
  ASSERT_TRUE(index_->Upsert(many).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(*index_->DocumentCount(), 2605);
  std::set<std::string> ids;
  ASSERT_TRUE(index_->ForEachReviewId([&](std::string_view id) { ids.emplace(id); }).ok());
  EXPECT_EQ(ids.size(), 2605u);
  EXPECT_EQ(MustSearch({.asin = "B000MANYRV", .stars = {3}}).total, 520);
}

TEST_P(SearchContractTest, ScoresChangeInPlaceAndUnknownReviewsAreCounted) {
  absl::StatusOr<int64_t> found = index_->UpdateScores({{Id(1), 9.0, 40, 41}, {Id(77), 1.0, 1, 1}});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, 1);
  ASSERT_TRUE(index_->Commit().ok());
  SearchResult r = MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kHelpfulness});
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].review.review_id, Id(1));
  EXPECT_EQ(r.hits[0].review.helpful_votes, 40);
  EXPECT_EQ(r.hits[0].review.total_votes, 41);
  // The text is still searchable after the update, and no document was made for review 77.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "fret"}).total, 1);
  EXPECT_EQ(*index_->DocumentCount(), 5);
}

INSTANTIATE_TEST_SUITE_P(Xapian, SearchContractTest, ::testing::Values(kXapian));
INSTANTIATE_TEST_SUITE_P(Elasticsearch, SearchContractTest, ::testing::Values(kElasticsearch));

}  // namespace
}  // namespace candor::search
