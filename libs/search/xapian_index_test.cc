#include "libs/search/xapian_index.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/search/search_request.h"
#include "libs/search/xapian_reader_pool.h"

// Requests are written with designated initializers naming only what each test sets; GCC 12
// warns for the optional and vector members left to their defaults even though they have them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace candor::search {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone());

std::string Id(int n) { return absl::StrFormat("%032x", n); }

ReviewDocument Doc(int n, std::string asin, int rating, bool verified, int days_ago,
                   std::string title, std::string body, double helpfulness = 0) {
  ReviewDocument d;
  d.review_id = Id(n);
  d.asin = std::move(asin);
  d.rating = rating;
  d.verified = verified;
  d.created = kNow - absl::Hours(24 * days_ago);
  d.title = std::move(title);
  d.body = std::move(body);
  d.helpfulness = helpfulness;
  return d;
}

class XapianIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/candor-xapian-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/index";
    auto index = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
    ASSERT_TRUE(
        index_
            ->Upsert({
                Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz",
                    "The strings buzz on the third fret no matter what I do. Returned it."),
                Doc(2, "B000GUITAR", 5, true, 200, "Great guitar",
                    "Sounds warm, no string buzz at all after a setup.", 3.0),
                Doc(3, "B000GUITAR", 4, false, 800, "Good value",
                    "Decent for the money; the tuner battery died after a week.", 1.0),
                Doc(4, "B000GUITAR", 1, false, 5, "Buzzing mess",
                    "Buzzing everywhere & the <b>action</b> is high.", 2.0),
                Doc(5, "B000TUNERS", 5, true, 1, "Tuner", "Accurate tuner, battery lasts months."),
            })
            .ok());
    ASSERT_TRUE(index_->Commit().ok());
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
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

  std::string dir_;
  std::unique_ptr<XapianSearchIndex> index_;
};

TEST_F(XapianIndexTest, StemmedWordsWithinOneProduct) {
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
}

TEST_F(XapianIndexTest, FiltersAndFacetsCountEveryMatch) {
  SearchResult all = MustSearch({.asin = "B000GUITAR", .page_size = 1});
  EXPECT_EQ(all.total, 4);
  EXPECT_EQ(all.hits.size(), 1u);
  Facets expected;
  expected.stars = {1, 1, 0, 1, 1};
  expected.verified = 2;
  expected.unverified = 2;
  expected.last_30_days = 2;
  expected.last_year = 1;
  expected.older = 1;
  EXPECT_EQ(all.facets, expected);

  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .stars = {1, 2}}).total, 2);
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .verified = false}).total, 2);
  SearchResult recent =
      MustSearch({.asin = "B000GUITAR", .from = kNow - absl::Hours(24 * 30), .to = kNow});
  EXPECT_EQ(recent.total, 2);
  EXPECT_EQ(recent.facets.last_30_days, 2);
  EXPECT_EQ(recent.facets.older, 0);
  // `to` is exclusive.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .to = kNow - absl::Hours(24 * 10)}).total, 2);
}

TEST_F(XapianIndexTest, ThreeSorts) {
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kNewest})),
            (std::vector<std::string>{Id(4), Id(1), Id(2), Id(3)}));
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kHelpfulness})),
            (std::vector<std::string>{Id(2), Id(4), Id(3), Id(1)}));
  // Relevance: the review that says "buzz" in its title and body ranks first.
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "strings buzz"})).front(), Id(1));
}

TEST_F(XapianIndexTest, SnippetsHighlightAndEscape) {
  SearchResult r = MustSearch({.asin = "B000GUITAR", .query = "action"});
  ASSERT_EQ(r.hits.size(), 1u);
  const std::string& s = r.hits[0].snippet;
  EXPECT_NE(s.find("&amp;"), std::string::npos) << s;
  EXPECT_NE(s.find("&lt;b&gt;<b>action</b>&lt;/b&gt;"), std::string::npos) << s;
  EXPECT_GT(r.hits[0].relevance, 0);
  EXPECT_EQ(r.hits[0].review.title, "Buzzing mess");
}

TEST_F(XapianIndexTest, CursorPagesThroughAndRefusesForeignOrForged) {
  SearchRequest first{.asin = "B000GUITAR", .sort = SortOrder::kNewest, .page_size = 3};
  SearchResult p1 = MustSearch(first);
  ASSERT_EQ(p1.hits.size(), 3u);
  ASSERT_FALSE(p1.next_cursor.empty());
  SearchRequest second = first;
  second.cursor = p1.next_cursor;
  SearchResult p2 = MustSearch(second);
  EXPECT_EQ(Ids(p2), std::vector<std::string>{Id(3)});
  EXPECT_TRUE(p2.next_cursor.empty());

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
}

TEST_F(XapianIndexTest, ShopperSyntaxNeverFails) {
  for (const char* q : {"\"string buzz", "buzz AND", "OR", "((buzz", "-", "+", "*", "\"\"",
                        "buzz NOT NOT", "b*", "tuner -battery", "!!!", "ñandú ☃ 弦"}) {
    SearchRequest r{.asin = "B000GUITAR", .query = q, .now = kNow};
    absl::StatusOr<SearchResult> result = index_->Search(r);
    EXPECT_TRUE(result.ok()) << q << ": " << result.status();
  }
  // The plain-words fallback still finds what the words say.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "\"tuner battery"}).total, 1);
  EXPECT_EQ(Ids(MustSearch({.asin = "B000GUITAR", .query = "\"string buzz\""})),
            std::vector<std::string>{Id(2)});  // a phrase
}

TEST_F(XapianIndexTest, BadRequestsNameTheField) {
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

TEST_F(XapianIndexTest, UpsertIsIdempotentRemoveAndRestore) {
  ASSERT_TRUE(index_->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz", "Edited?")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(*index_->DocumentCount(), 5);
  ASSERT_TRUE(index_->Remove({Id(1), Id(99)}).ok());  // 99 was never indexed: not an error
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz"}).total, 2);
  ASSERT_TRUE(index_->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz", "Back.")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "buzz"}).total, 3);
  std::set<std::string> ids;
  ASSERT_TRUE(index_->ForEachReviewId([&](std::string_view id) { ids.emplace(id); }).ok());
  EXPECT_EQ(ids, (std::set<std::string>{Id(1), Id(2), Id(3), Id(4), Id(5)}));
  EXPECT_EQ(index_->Upsert({Doc(6, "B000GUITAR", 9, true, 1, "x", "y")}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(XapianIndexTest, ScoresChangeInPlaceAndUnknownReviewsAreCounted) {
  absl::StatusOr<int64_t> found = index_->UpdateScores({{Id(1), 9.0, 40, 41}, {Id(77), 1.0, 1, 1}});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, 1);
  ASSERT_TRUE(index_->Commit().ok());
  SearchResult r = MustSearch({.asin = "B000GUITAR", .sort = SortOrder::kHelpfulness});
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].review.review_id, Id(1));
  EXPECT_EQ(r.hits[0].review.helpful_votes, 40);
  EXPECT_EQ(r.hits[0].review.total_votes, 41);
  // The text is still searchable after the update.
  EXPECT_EQ(MustSearch({.asin = "B000GUITAR", .query = "fret"}).total, 1);
}

TEST_F(XapianIndexTest, AReaderSeesCommitsAndTheWriteLockIsExclusive) {
  auto reader = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kRead);
  ASSERT_TRUE(reader.ok()) << reader.status();
  SearchRequest r{.asin = "B000GUITAR", .now = kNow};
  EXPECT_EQ((*reader)->Search(r)->total, 4);
  ASSERT_TRUE(index_->Upsert({Doc(8, "B000GUITAR", 3, false, 2, "New", "Fresh review.")}).ok());
  EXPECT_EQ((*reader)->Search(r)->total, 4);  // not committed yet
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ((*reader)->Search(r)->total, 5);
  EXPECT_EQ((*reader)->Upsert({}).code(), absl::StatusCode::kFailedPrecondition);

  auto second = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kWrite);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
}

TEST_F(XapianIndexTest, AReaderPoolSearchesConcurrentlyAndIsReadOnly) {
  auto pool = XapianReaderPool::Open(dir_, 3);
  ASSERT_TRUE(pool.ok()) << pool.status();
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .now = kNow};
  std::vector<std::thread> threads;
  threads.reserve(6);
  std::atomic<int> right{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<SearchResult> got = (*pool)->Search(r);
        if (got.ok() && got->total == 3) ++right;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(right.load(), 120);
  ASSERT_TRUE(index_->Upsert({Doc(8, "B000GUITAR", 3, false, 2, "Buzz", "New buzz.")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ((*pool)->Search(r)->total, 4);  // every handle sees the last commit
  EXPECT_EQ(*(*pool)->DocumentCount(), 6);
  EXPECT_EQ((*pool)->Upsert({}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*pool)->Commit().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(XapianReaderPoolTest, AMissingIndexIsUnavailableUntilItIsCreated) {
  char tmpl[] = "/tmp/candor-xapian-pool-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/index";
  auto pool = XapianReaderPool::Open(dir, 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .now = kNow};
  absl::StatusOr<SearchResult> got = (*pool)->Search(r);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
  EXPECT_NE(got.status().message().find(dir), std::string::npos) << got.status();
  {
    auto writer = XapianSearchIndex::Open(dir, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Buzz", "buzz")}).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  got = (*pool)->Search(r);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->total, 1);
  std::filesystem::remove_all(tmpl);
}

TEST(XapianIndexOpenTest, ACorruptIndexIsRefusedNamingTheRebuild) {
  char tmpl[] = "/tmp/candor-xapian-corrupt-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/index";
  {
    auto index = XapianSearchIndex::Open(dir, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_TRUE((*index)->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "t", "body")}).ok());
  }
  // Overwrite every table file with garbage.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".glass" || entry.path().filename() == "iamglass") {
      std::ofstream(entry.path(), std::ios::trunc) << "not a xapian table";
    }
  }
  for (auto mode : {XapianSearchIndex::Mode::kWrite, XapianSearchIndex::Mode::kRead}) {
    auto index = XapianSearchIndex::Open(dir, mode);
    EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
    EXPECT_NE(index.status().message().find("candor-index-writer --rebuild"), std::string::npos)
        << index.status();
  }
  auto pool = XapianReaderPool::Open(dir, 2);  // a server refuses it at start too
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kDataLoss) << pool.status();
  EXPECT_EQ(XapianSearchIndex::Open(std::string(tmpl) + "/absent", XapianSearchIndex::Mode::kRead)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace candor::search
