#include "services/review-gateway/review_lister.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/review-gateway/helpful_fakes_testing.h"

namespace candor::gateway {
namespace {

using ::testing::StartsWith;

std::string Id(int i) { return absl::StrCat("0000000000000000000000000000", 1000 + i); }

class ReviewListerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 8 reviews ranked 7.0 down to 0.0; the cache holds the first 3 (the rest below its floor).
    for (int i = 0; i < 8; ++i) {
      reviewdb::ListedReview r;
      r.review_id = Id(i);
      r.asin = "B000000001";
      r.rating = 1 + i % 5;
      r.sort_key = 7.0 - i;
      reads_.ranked.push_back(r);
      if (i < 3) ranking_.entries.push_back({r.review_id, *r.sort_key});
    }
  }

  absl::StatusOr<ListPage> List(ListRequest r) {
    r.asin = r.asin.empty() ? "B000000001" : r.asin;
    std::optional<absl::StatusOr<ListPage>> got;
    lister_.List(r, [&](absl::StatusOr<ListPageCache::Page> p) {
      got = p.ok() ? absl::StatusOr<ListPage>(**p) : absl::StatusOr<ListPage>(p.status());
    });
    EXPECT_TRUE(got.has_value());
    return got.value_or(absl::InternalError("no answer"));
  }

  std::vector<std::string> Ids(const ListPage& p) {
    std::vector<std::string> ids;
    for (const auto& r : p.reviews) ids.push_back(r.review_id);
    return ids;
  }

  testing::FakeRankingReader ranking_;
  testing::FakeReviewReads reads_;
  testing::InlineExecutor executor_;
  ReviewLister lister_{ranking_, reads_, executor_};
};

TEST_F(ReviewListerTest, PagesContinuePastTheCacheFromTheStoreInTheSameOrder) {
  std::vector<std::string> all;
  std::string token;
  for (int page = 0; page < 4; ++page) {
    auto p = List({.page_size = 3, .page_token = token});
    ASSERT_TRUE(p.ok()) << p.status();
    for (const std::string& id : Ids(*p)) all.push_back(id);
    token = p->next_page_token;
    if (token.empty()) break;
  }
  std::vector<std::string> want;
  want.reserve(8);
  for (int i = 0; i < 8; ++i) want.push_back(Id(i));
  EXPECT_EQ(all, want);
}

TEST_F(ReviewListerTest, ACacheHoldingTheWholeOrderAnswersWithoutAskingTheStoreForMore) {
  // Every ranked review in the cache (its floor is "-"): a page longer than the product ends
  // there, with no query for the rest.
  ranking_.entries.clear();
  for (const reviewdb::ListedReview& r : reads_.ranked) {
    ranking_.entries.push_back({r.review_id, *r.sort_key});
  }
  ranking_.complete = true;
  auto p = List({.page_size = 50});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->reviews.size(), 8u);
  EXPECT_TRUE(p->next_page_token.empty());
  EXPECT_TRUE(reads_.lists.empty());
  // Not complete: the same page asks the store below the cache (and finds nothing more).
  ranking_.complete = false;
  p = List({.page_size = 50});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->reviews.size(), 8u);
  EXPECT_EQ(reads_.lists.size(), 1u);
}

TEST(PageTokenTest, ARealSortKeyWithDotsOfItsOwnRoundTrips) {
  // Sort keys are decimals: "%.17g" writes dots and exponents into the token's position.
  for (double key : {37.119999999999997, -4.25, 1.5e-05, -2.5e+300, 0.0, 7.0}) {
    reviewdb::ReviewListQuery query;
    query.asin = "B000000001";
    reviewdb::ListedReview last;
    last.review_id = Id(3);
    last.sort_key = key;
    const std::string token = EncodePageToken(query, last);
    reviewdb::ReviewListQuery next;
    next.asin = "B000000001";
    ASSERT_TRUE(DecodePageToken(token, &next).ok()) << key;
    ASSERT_TRUE(next.after_key.has_value()) << key;
    EXPECT_EQ(next.after_key->first, key);
    EXPECT_EQ(next.after_key->second, Id(3));
  }
}

TEST_F(ReviewListerTest, AnUnknownCacheOrAFilterReadsTheStore) {
  ranking_.known = false;
  auto p = List({.page_size = 2});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Ids(*p), (std::vector<std::string>{Id(0), Id(1)}));
  ranking_.known = true;
  p = List({.stars = {2}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Ids(*p), (std::vector<std::string>{Id(1), Id(6)}));
  EXPECT_EQ(reads_.lists.back().stars_mask, 1U << 1);
  EXPECT_TRUE(p->next_page_token.empty());
}

TEST_F(ReviewListerTest, ARemovedReviewStillCachedIsNotShown) {
  reads_.ranked.erase(reads_.ranked.begin() + 1);  // no longer active; the cache lags
  auto p = List({.page_size = 3});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Ids(*p), (std::vector<std::string>{Id(0), Id(2)}));
}

TEST_F(ReviewListerTest, BadInputIsInvalidArgumentNamingTheField) {
  auto code = [](const absl::StatusOr<ListPage>& p) { return p.status().code(); };
  auto p = List({.page_size = 10000});
  EXPECT_EQ(code(p), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "page_size: must be 0..100 (0: 50), got 10000");
  EXPECT_THAT(std::string(List({.page_size = -1}).status().message()), StartsWith("page_size"));
  EXPECT_THAT(std::string(List({.asin = "b1"}).status().message()), StartsWith("asin"));
  EXPECT_THAT(std::string(List({.order = 7}).status().message()), StartsWith("order"));
  EXPECT_THAT(std::string(List({.stars = {6}}).status().message()), StartsWith("stars"));

  auto first = List({.page_size = 2});
  ASSERT_TRUE(first.ok());
  const std::string token = first->next_page_token;
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(List({.page_size = 2, .page_token = token}).ok());
  // Forged, edited, or reused for another query: refused, with a clear message.
  EXPECT_THAT(std::string(List({.page_token = "forged!"}).status().message()),
              StartsWith("page_token: "));
  std::string text;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &text));
  text[text.size() - 20] = text[text.size() - 20] == '1' ? '2' : '1';
  EXPECT_EQ(List({.page_token = absl::WebSafeBase64Escape(text)}).status().message(),
            "page_token: malformed or altered");
  EXPECT_EQ(List({.order = 1, .page_token = token}).status().message(),
            "page_token: issued for another product, order or filter");
  EXPECT_EQ(code(List({.asin = "B000000002", .page_token = token})),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewListerTest, OutagesAreUnavailable) {
  ranking_.known = false;
  reads_.down = true;
  EXPECT_EQ(List({}).status().code(), absl::StatusCode::kUnavailable);
  reads_.down = false;
  executor_.full = true;
  EXPECT_EQ(List({}).status().code(), absl::StatusCode::kUnavailable);
}

// A lister with a page cache over four reviews ranked 4.0 down to 1.0, all of them in the
// ranking cache (which holds the whole order).
class ReviewListerPageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      reviewdb::ListedReview r;
      r.review_id = Id(i);
      r.asin = "B000000001";
      r.rating = 5;
      r.sort_key = 4.0 - i;
      reads_.ranked.push_back(r);
      ranking_.entries.push_back({r.review_id, *r.sort_key});
    }
    ranking_.complete = true;
  }

  ListPageCache::Page List(ListRequest r = {}) {
    r.asin = "B000000001";
    ListPageCache::Page got;
    lister_.List(r, [&](absl::StatusOr<ListPageCache::Page> p) {
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok()) got = *p;
    });
    EXPECT_NE(got, nullptr) << "answered inline by the fakes";
    return got;
  }

  // The review ids of List(r)'s page (none when it failed).
  std::vector<std::string> ListIds(ListRequest r = {}) {
    std::vector<std::string> ids;
    const ListPageCache::Page page = List(r);
    if (page != nullptr) {
      for (const auto& c : page->reviews) ids.push_back(c.review_id);
    }
    return ids;
  }

  // Past three quarters of --list-cache-ms: the call is served and starts a reload (inline
  // here); the page the next call gets is the reload's.
  ListPageCache::Page Reload(ListRequest r = {}) {
    clock_.Advance(absl::Milliseconds(800));
    List(r);
    return List(r);
  }

  testing::FakeRankingReader ranking_;
  testing::FakeReviewReads reads_;
  testing::InlineExecutor executor_;
  core::ManualClock clock_{absl::FromUnixSeconds(1700000000)};
  ListPageCache pages_{clock_, absl::Milliseconds(1000), 100, absl::Milliseconds(5000)};
  ReviewLister lister_{ranking_, reads_, executor_, &pages_};
};

// A repeated request is answered from memory, a different one (another size, filter or
// position) is a page of its own, and a removal shows once the page is reloaded.
TEST_F(ReviewListerPageCacheTest, RepeatedRequestsAreAnsweredFromMemoryUntilThePageIsReloaded) {
  const std::vector<std::string> all = {Id(0), Id(1), Id(2), Id(3)};
  EXPECT_EQ(ListIds(), all);
  EXPECT_EQ(reads_.cards_asked.size(), 1u);
  EXPECT_EQ(ListIds(), all);
  EXPECT_EQ(ListIds({.page_size = 50}), all) << "page size 0 is the default 50: the same page";
  EXPECT_EQ(reads_.cards_asked.size(), 1u) << "answered from memory";
  EXPECT_EQ(ListIds({.page_size = 2}), std::vector<std::string>({Id(0), Id(1)}));
  EXPECT_EQ(ListIds({.stars = {5}}), all);
  EXPECT_EQ(pages_.counts().loads, 3);
  // Removed (the ranking drops it, the store no longer has its card): shown until the page is
  // reloaded, which the first call past three quarters of the age starts.
  ranking_.entries.erase(ranking_.entries.begin() + 1);
  reads_.ranked.erase(reads_.ranked.begin() + 1);
  EXPECT_EQ(ListIds(), all);
  clock_.Advance(absl::Milliseconds(750));
  EXPECT_EQ(ListIds(), all) << "served while the reload runs (inline here)";
  EXPECT_EQ(ListIds(), std::vector<std::string>({Id(0), Id(2), Id(3)}));
  // An invalid request never reaches the cache.
  std::optional<absl::Status> bad;
  lister_.List({.asin = "B000000001", .page_size = 10000},
               [&](absl::StatusOr<ListPageCache::Page> p) { bad = p.status(); });
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->code(), absl::StatusCode::kInvalidArgument);
}

// A reload reads the ranking (Redis) and keeps the page when the page was built from it alone
// and it reads the same: no card is read again, the same page object (and its bytes) is served.
// A changed order, a page that continued from Postgres, or a page built --list-rebuild-ms ago
// is built anew.
using ReviewListerReloadTest = ReviewListerPageCacheTest;

TEST_F(ReviewListerReloadTest, AnUnmovedRankingKeepsThePageWithoutReadingCards) {
  const ListPageCache::Page first = List();
  ASSERT_EQ(first->reviews.size(), 4u);
  ASSERT_EQ(reads_.cards_asked.size(), 1u);
  EXPECT_EQ(Reload(), first);
  EXPECT_EQ(Reload(), first);
  EXPECT_EQ(reads_.cards_asked.size(), 1u) << "kept: no card read";
  EXPECT_TRUE(reads_.lists.empty());
  EXPECT_EQ(pages_.counts().kept, 2);
}

TEST_F(ReviewListerReloadTest, AMovedKeyANewMemberOrARemovalBuildsThePageAnew) {
  const ListPageCache::Page first = List();
  ranking_.entries[3].sort_key = 0.5;  // a vote moved the last review's key
  reads_.ranked[3].sort_key = 0.5;
  reads_.ranked[3].total_votes = 9;
  const ListPageCache::Page moved = Reload();
  EXPECT_NE(moved, first);
  EXPECT_EQ(moved->reviews[3].total_votes, 9);
  ranking_.entries.erase(ranking_.entries.begin());  // removed by the ranker
  const ListPageCache::Page removed = Reload();
  ASSERT_EQ(removed->reviews.size(), 3u);
  EXPECT_EQ(removed->reviews[0].review_id, Id(1));
  ranking_.complete = false;  // the product now has more than the set holds
  EXPECT_NE(Reload(), removed);
  EXPECT_EQ(reads_.cards_asked.size(), 4u);
  EXPECT_EQ(pages_.counts().kept, 0);
}

TEST_F(ReviewListerReloadTest, APageThatContinuedFromPostgresIsNeverKept) {
  ranking_.complete = false;  // 4 in the set, a page of 50: the rest is asked of Postgres
  const ListPageCache::Page first = List();
  ASSERT_EQ(reads_.lists.size(), 1u);
  EXPECT_FALSE(first->ranking.has_value());
  EXPECT_NE(Reload(), first);
  EXPECT_EQ(reads_.lists.size(), 2u);
  // A page the set fills alone is kept, though the set is not the whole order.
  const ListPageCache::Page two = List({.page_size = 2});
  ASSERT_TRUE(two->ranking.has_value());
  EXPECT_EQ(Reload({.page_size = 2}), two);
  // Newest first (or filtered) pages are Postgres' alone: rebuilt on every reload.
  const ListPageCache::Page newest = List({.order = 1});
  EXPECT_NE(Reload({.order = 1}), newest);
}

TEST_F(ReviewListerReloadTest, APageBuiltRebuildAfterAgoIsBuiltAnew) {
  const ListPageCache::Page first = List();
  // A vote that leaves the key as it was (not helpful, on a review nobody found helpful yet):
  // the ranking cannot tell, so the counts show when the page is rebuilt, 2.5 to 5 s after it
  // was built (its share of --list-rebuild-ms).
  reads_.ranked[3].total_votes = 7;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Reload(), first) << i;  // 2.4 s after the build
  ListPageCache::Page page = first;
  for (int i = 0; i < 4 && page == first; ++i) page = Reload();  // 5.6 s at the latest
  EXPECT_NE(page, first);
  EXPECT_EQ(page->reviews[3].total_votes, 7);
}

}  // namespace
}  // namespace candor::gateway
