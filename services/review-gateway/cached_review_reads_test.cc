#include "services/review-gateway/cached_review_reads.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/review-gateway/helpful_fakes_testing.h"

namespace candor::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ManualClock final : public core::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1700000000);
};

reviewdb::ListedReview Card(const std::string& id, int64_t helpful) {
  reviewdb::ListedReview r;
  r.review_id = id;
  r.asin = "B000000001";
  r.title = "title " + id;
  r.rating = 5;
  r.helpful_votes = helpful;
  r.total_votes = helpful;
  r.sort_key = static_cast<double>(helpful);
  return r;
}

std::vector<std::string> Ids(const std::vector<reviewdb::ListedReview>& cards) {
  std::vector<std::string> ids;
  ids.reserve(cards.size());
  for (const reviewdb::ListedReview& c : cards) ids.push_back(c.review_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

class CachedReviewReadsTest : public ::testing::Test {
 protected:
  CachedReviewReadsTest() { store_.ranked = {Card("a", 3), Card("b", 2), Card("c", 1)}; }
  testing::FakeReviewReads store_;
  ManualClock clock_;
  CachedReviewReads cache_{store_, clock_, absl::Seconds(1), 100};
};

// Within the ttl a card comes from memory: the store is asked once for what it did not hold.
TEST_F(CachedReviewReadsTest, FreshCardsComeFromMemoryOnlyMissesGoToTheStore) {
  auto first = cache_.Cards({"a", "b"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Ids(*first), ElementsAre("a", "b"));
  clock_.now += absl::Milliseconds(500);
  auto second = cache_.Cards({"a", "b", "c", "c"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Ids(*second), ElementsAre("a", "b", "c"));
  ASSERT_EQ(store_.cards_asked.size(), 2u);
  EXPECT_THAT(store_.cards_asked[0], ElementsAre("a", "b"));
  EXPECT_THAT(store_.cards_asked[1], ElementsAre("c"));
  EXPECT_EQ(cache_.counts().hits, 2);
  EXPECT_EQ(cache_.counts().misses, 3);
}

// After the ttl the store's current card is read again: counts are at most ttl late, and a
// review no longer active (the store does not return it) is no longer shown.
TEST_F(CachedReviewReadsTest, ExpiredCardsAreReadAgainAndARemovedReviewLeaves) {
  ASSERT_TRUE(cache_.Cards({"a", "b"}).ok());
  store_.ranked = {Card("a", 30)};  // a's votes moved; b was removed
  clock_.now += absl::Milliseconds(999);
  auto late = cache_.Cards({"a", "b"});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->size(), 2u);  // still within the ttl: the remembered cards
  clock_.now += absl::Milliseconds(1);
  auto fresh = cache_.Cards({"a", "b"});
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 1u);
  EXPECT_EQ((*fresh)[0].review_id, "a");
  EXPECT_EQ((*fresh)[0].helpful_votes, 30);
  // b is not remembered as missing: the next call asks the store for it again.
  ASSERT_TRUE(cache_.Cards({"b"}).ok());
  EXPECT_THAT(store_.cards_asked.back(), ElementsAre("b"));
}

// A store failure is the caller's Unavailable and remembers nothing.
TEST_F(CachedReviewReadsTest, StoreFailureIsReturnedAndNothingIsRemembered) {
  store_.down = true;
  EXPECT_EQ(cache_.Cards({"a"}).status().code(), absl::StatusCode::kUnavailable);
  store_.down = false;
  ASSERT_TRUE(cache_.Cards({"a"}).ok());
  EXPECT_EQ(store_.cards_asked.size(), 1u);
  EXPECT_EQ(cache_.counts().hits, 0);
}

// Votes and keyset pages always go to the store.
TEST_F(CachedReviewReadsTest, HeadAndListAreNeverCached) {
  store_.heads["a"] = reviewdb::ReviewHead{"a", "B000000001", "u1"};
  ASSERT_TRUE(cache_.Head("a").ok());
  store_.down = true;
  EXPECT_EQ(cache_.Head("a").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache_.List(reviewdb::ReviewListQuery{}).status().code(),
            absl::StatusCode::kUnavailable);
}

// Bounded: past max_entries, expired cards go first, then everything; a batch larger than the
// bound is answered but only partly remembered.
TEST(CachedReviewReadsBoundTest, NeverHoldsMoreThanMaxEntries) {
  testing::FakeReviewReads store;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    store.ranked.push_back(Card("r" + std::to_string(i), i));
    ids.push_back("r" + std::to_string(i));
  }
  ManualClock clock;
  CachedReviewReads cache(store, clock, absl::Seconds(1), 4);
  auto all = cache.Cards(ids);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10u);
  store.cards_asked.clear();
  auto again = cache.Cards(ids);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 10u);
  ASSERT_EQ(store.cards_asked.size(), 1u);
  EXPECT_GE(store.cards_asked[0].size(), 6u);  // at most 4 were remembered
  EXPECT_THAT(cache.Cards({}).value(), IsEmpty());
}

}  // namespace
}  // namespace candor::gateway
