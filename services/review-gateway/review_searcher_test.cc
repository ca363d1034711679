#include "services/review-gateway/review_searcher.h"

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/core/error.h"
#include "libs/search/search_testing.h"
#include "libs/search/xapian_index.h"
#include "libs/search/xapian_reader_pool.h"
#include "services/review-gateway/helpful_fakes_testing.h"

namespace candor::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using search::testing::Doc;
using search::testing::Id;

const absl::Time kNow = search::testing::SampleNow();
constexpr char kGuitar[] = "B000GUITAR";

// The searcher over a real index in a temporary directory, written here and read through the
// gateway's read-only pool, as the server does.
class ReviewSearcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/candor-searcher-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto writer =
        search::XapianSearchIndex::Open(root_ + "/index", search::XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(
        (*writer)
            ->Upsert({
                Doc(1, kGuitar, 2, true, 10, "Strings buzz", "The strings buzz on the third fret."),
                Doc(2, kGuitar, 5, true, 200, "Great guitar", "No string buzz after a setup.", 3),
                Doc(3, kGuitar, 4, false, 800, "Good value", "The tuner battery died in a week."),
                Doc(4, kGuitar, 1, false, 5, "Buzzing mess", "Buzzing everywhere, high action.", 2),
            })
            .ok());
    ASSERT_TRUE((*writer)->Commit().ok());
    auto pool = search::XapianReaderPool::Open(root_ + "/index", 2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  absl::StatusOr<search::SearchResult> Search(SearchInput in,
                                              search::SearchIndex* index = nullptr) {
    if (in.asin.empty()) in.asin = kGuitar;
    if (in.sort == 0 && !raw_sort_) in.sort = 1;
    ReviewSearcher searcher(index != nullptr ? *index : *pool_, executor_, clock_);
    std::optional<absl::StatusOr<search::SearchResult>> got;
    searcher.Search(in, [&](absl::StatusOr<search::SearchResult> r) {
      EXPECT_FALSE(got.has_value()) << "answered twice";
      got = std::move(r);
    });
    EXPECT_TRUE(got.has_value());
    return got.value_or(absl::InternalError("no answer"));
  }

  static std::vector<std::string> Ids(const search::SearchResult& r) {
    std::vector<std::string> ids;
    for (const auto& h : r.hits) ids.push_back(h.review.review_id);
    return ids;
  }

  std::string root_;
  std::unique_ptr<search::XapianReaderPool> pool_;
  testing::InlineExecutor executor_;
  core::ManualClock clock_{kNow};
  bool raw_sort_ = false;
};

TEST_F(ReviewSearcherTest, FindsStemmedWordsWithFacetsOverEveryMatch) {
  SearchInput in;
  in.query = "buzz";
  in.page_size = 1;
  auto r = Search(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total, 3);  // buzz, buzz, buzzing
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_THAT(r->hits[0].snippet, HasSubstr("<b>"));
  // Over all three matches, not the page of one; recency from the clock's now.
  EXPECT_EQ(r->facets.stars, (std::array<int64_t, 5>{1, 1, 0, 0, 1}));
  EXPECT_EQ(r->facets.verified, 2);
  EXPECT_EQ(r->facets.unverified, 1);
  EXPECT_EQ(r->facets.last_30_days, 2);
  EXPECT_EQ(r->facets.last_year, 1);
  EXPECT_EQ(r->facets.older, 0);
  EXPECT_FALSE(r->next_cursor.empty());
}

TEST_F(ReviewSearcherTest, FiltersAndSorts) {
  SearchInput in;
  in.query = "buzz";
  in.stars = {1, 2};
  auto r = Search(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total, 2);
  in.stars.clear();
  in.verified = false;
  EXPECT_THAT(Ids(*Search(in)), ElementsAre(Id(4)));
  in.verified.reset();
  in.submitted_from = kNow - absl::Hours(24 * 30);
  in.submitted_before = kNow - absl::Hours(24 * 7);
  EXPECT_THAT(Ids(*Search(in)), ElementsAre(Id(1)));
  in.submitted_from.reset();
  in.submitted_before.reset();
  in.sort = 2;  // helpfulness
  EXPECT_THAT(Ids(*Search(in)), ElementsAre(Id(2), Id(4), Id(1)));
  in.sort = 3;  // newest
  EXPECT_THAT(Ids(*Search(in)), ElementsAre(Id(4), Id(1), Id(2)));
}

TEST_F(ReviewSearcherTest, ACursorPagesToTheEnd) {
  SearchInput in;
  in.query = "buzz";
  in.sort = 3;
  in.page_size = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = Search(in);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const std::string& id : Ids(*r)) seen.push_back(id);
    if (r->next_cursor.empty()) break;
    in.cursor = r->next_cursor;
  }
  EXPECT_THAT(seen, ElementsAre(Id(4), Id(1), Id(2)));
}

TEST_F(ReviewSearcherTest, BadRequestsNameTheField) {
  auto expect_field = [&](SearchInput in, const std::string& field) {
    auto r = Search(in);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(std::string(r.status().message()), StartsWith(field + ": ")) << r.status();
  };
  SearchInput ok;
  ok.query = "buzz";
  SearchInput in = ok;
  in.asin = "nope";
  expect_field(in, "asin");
  in = ok;
  in.query = "";
  expect_field(in, "query");
  in.query = " \t ";
  expect_field(in, "query");
  in.query = "   ";
  expect_field(in, "query");
  in.query = std::string(513, 'a');
  expect_field(in, "query");
  in.query = std::string(10'000, 'b');
  expect_field(in, "query");
  in.query = "buzz\xff\xfe";
  expect_field(in, "query");
  in.query = "buzz\x01";
  expect_field(in, "query");
  in = ok;
  in.stars = {0};
  expect_field(in, "stars");
  in.stars = {6};
  expect_field(in, "stars");
  in = ok;
  in.page_size = 101;
  expect_field(in, "page_size");
  in.page_size = -1;
  expect_field(in, "page_size");
  in = ok;
  in.submitted_from = kNow;
  in.submitted_before = kNow;
  expect_field(in, "submitted_from");
  in = ok;
  in.sort = 9;
  expect_field(in, "sort");
  raw_sort_ = true;
  in.sort = 0;
  expect_field(in, "sort");
  raw_sort_ = false;
  in = ok;
  in.cursor = "c1-zz-forged";
  expect_field(in, "cursor");
  // A real cursor, used for another query.
  in = ok;
  in.page_size = 1;
  auto first = Search(in);
  ASSERT_TRUE(first.ok());
  in.query = "tuner";
  in.cursor = first->next_cursor;
  expect_field(in, "cursor");
}

TEST_F(ReviewSearcherTest, HostileSyntaxIsSearchedNeverAnError) {
  for (const char* q : {"\"string buzz", "buzz AND", "-", "+", "((buzz", "buzz OR OR", "*",
                        "\"\"\"", "NOT", "buzz -", "tuner* battery*", "фрет", "🎸 buzz",
                        "buzz\"fret", "AND OR NOT", ":", "title:buzz", "buzz..fret"}) {
    SearchInput in;
    in.query = q;
    auto r = Search(in);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status();
  }
  SearchInput in;
  in.query = "\"string buzz";  // unbalanced: the words still find their review
  auto r = Search(in);
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->total, 1);
}

// An index that fails as a broken disk would.
class BrokenIndex final : public search::SearchIndex {
 public:
  absl::Status Upsert(const std::vector<search::ReviewDocument>&) override { return Err(); }
  absl::Status Remove(const std::vector<std::string>&) override { return Err(); }
  absl::StatusOr<int64_t> UpdateScores(const std::vector<search::ScoreUpdate>&) override {
    return Err();
  }
  absl::Status Commit() override { return Err(); }
  absl::StatusOr<search::SearchResult> Search(const search::SearchRequest&) override {
    return Err();
  }
  absl::Status ForEachReviewId(const std::function<void(std::string_view)>&) override {
    return Err();
  }
  absl::StatusOr<int64_t> DocumentCount() override { return Err(); }

 private:
  static absl::Status Err() { return absl::DataLossError("search index /x: table corrupt"); }
};

TEST_F(ReviewSearcherTest, IndexFailuresAreUnavailableNeverInternal) {
  SearchInput in;
  in.query = "buzz";
  BrokenIndex broken;
  auto r = Search(in, &broken);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_THAT(std::string(r.status().message()), ::testing::Not(HasSubstr("/x")));  // no internals
  EXPECT_THAT(core::InternalDetail(r.status()).value_or(""), HasSubstr("table corrupt"));

  auto missing = search::XapianReaderPool::Open(root_ + "/absent", 1);
  ASSERT_TRUE(missing.ok());
  r = Search(in, missing->get());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();

  executor_.full = true;
  r = Search(in);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

}  // namespace
}  // namespace candor::gateway
