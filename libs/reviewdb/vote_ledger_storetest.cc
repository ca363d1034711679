// ReviewDb's vote ledger and ranking reads (migrations 0006, 0007) on the real Postgres of the test
// stack (ctest fixture `stack`). helpfulness-ranker's integration test covers them end to end.
#include <algorithm>
#include <cstddef>
#include <random>

#include "gtest/gtest.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"

namespace candor::reviewdb {
namespace {

using review::ReviewStatus;
using review::Vote;
using testing::InsertReview;

// A key that orders by helpful votes, then by total: enough to see the ordering move.
double TestKey(const RankedReview& r) {
  return static_cast<double>(r.helpful_votes) * 1000.0 - static_cast<double>(r.total_votes);
}

class VoteLedgerTest : public testing::ReviewDbFixture {
 protected:
  review::HelpfulVote V(const std::string& review_id, const std::string& user, Vote vote,
                        int64_t at_s) {
    return {review_id, asin_, user, vote, absl::FromUnixSeconds(1'700'000'000 + at_s)};
  }

  VoteResult Apply(const std::vector<review::HelpfulVote>& votes,
                   const std::vector<std::string>& rank = {}) {
    absl::StatusOr<VoteResult> r = db_->ApplyVotes(votes, rank, TestKey);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VoteResult{};
  }

  void ExpectI4() {
    auto checks = db_->CheckVoteCounts({asin_});
    ASSERT_TRUE(checks.ok()) << checks.status();
    for (const VoteCountCheck& c : *checks) {
      EXPECT_EQ(c.row_helpful, c.ledger_helpful) << c.review_id;
      EXPECT_EQ(c.row_total, c.ledger_total) << c.review_id;
    }
  }

  std::pair<int64_t, int64_t> Counts(const std::string& review_id) {
    auto r = db_->GetListedReviews({review_id});
    EXPECT_TRUE(r.ok() && r->size() == 1);
    if (!r.ok() || r->empty()) return {-1, -1};
    return {r->front().helpful_votes, r->front().total_votes};
  }

  std::string asin_ = candor::testing::UniqueAsin();
};

TEST_F(VoteLedgerTest, AChangedVoteMovesCountsOnceAndReplaysAreNoOps) {
  const std::string id = InsertReview(*pool_, {.asin = asin_});
  VoteResult r = Apply({V(id, "a", Vote::kHelpful, 1), V(id, "b", Vote::kNotHelpful, 1)});
  EXPECT_EQ(r.changed, 2);
  EXPECT_EQ(Counts(id), std::make_pair(int64_t{1}, int64_t{2}));
  // The same votes again (a redelivery): nothing moves.
  r = Apply({V(id, "a", Vote::kHelpful, 1), V(id, "b", Vote::kNotHelpful, 1)});
  EXPECT_EQ(r.changed, 0);
  EXPECT_EQ(r.unchanged, 2);
  EXPECT_EQ(Counts(id), std::make_pair(int64_t{1}, int64_t{2}));
  // b flips to helpful, twice; a retracts; an older vote of a arriving late changes nothing.
  r = Apply({V(id, "b", Vote::kHelpful, 2), V(id, "b", Vote::kHelpful, 3)});
  EXPECT_EQ(r.changed, 1);
  EXPECT_EQ(Counts(id), std::make_pair(int64_t{2}, int64_t{2}));
  Apply({V(id, "a", Vote::kRetracted, 4)});
  Apply({V(id, "a", Vote::kHelpful, 2)});
  EXPECT_EQ(Counts(id), std::make_pair(int64_t{1}, int64_t{1}));
  ExpectI4();
}

TEST_F(VoteLedgerTest, InOneBatchTheNewestVoteOfAUserWins) {
  const std::string id = InsertReview(*pool_, {.asin = asin_});
  Apply({V(id, "a", Vote::kNotHelpful, 5), V(id, "a", Vote::kHelpful, 3)});
  EXPECT_EQ(Counts(id), std::make_pair(int64_t{0}, int64_t{1}));
  ExpectI4();
}

TEST_F(VoteLedgerTest, UnknownReviewsAreLeftOut) {
  VoteResult r = Apply({V("0123456789abcdef0123456789abcdef", "a", Vote::kHelpful, 1)});
  EXPECT_EQ(r.unknown, 1);
  EXPECT_TRUE(r.reviews.empty());
}

TEST_F(VoteLedgerTest, OnlyActiveReviewsAreRankedAndListed) {
  const std::string a = InsertReview(*pool_, {.asin = asin_, .rating = 5});
  const std::string b =
      InsertReview(*pool_, {.asin = asin_, .rating = 2, .verified_purchase = true});
  const std::string held = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kHeld});
  VoteResult r = Apply(
      {V(a, "x", Vote::kHelpful, 1), V(a, "y", Vote::kHelpful, 1), V(b, "x", Vote::kHelpful, 1)},
      {held});
  ASSERT_EQ(r.reviews.size(), 3u);
  for (const RankedReview& rr : r.reviews) EXPECT_EQ(rr.sort_key.has_value(), rr.review_id != held);

  auto top = db_->TopRanked(asin_, 10);
  ASSERT_TRUE(top.ok()) << top.status();
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].second, a);
  EXPECT_EQ((*top)[1].second, b);

  ReviewListQuery q{.asin = asin_, .limit = 1};
  auto page = db_->ListReviews(q);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().review_id, a);
  q.after_key = {*page->front().sort_key, a};
  page = db_->ListReviews(q);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().review_id, b);
  q.after_key = {*page->front().sort_key, b};
  EXPECT_TRUE(db_->ListReviews(q)->empty());

  // Filters and the newest-first order.
  q = {.asin = asin_, .stars_mask = 1U << 1};
  ASSERT_EQ(db_->ListReviews(q)->size(), 1u);
  q = {.asin = asin_, .verified_only = true};
  ASSERT_EQ(db_->ListReviews(q)->size(), 1u);
  q = {.asin = asin_, .order = ReviewOrder::kNewest};
  page = db_->ListReviews(q);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_GE(page->at(0).submitted_at, page->at(1).submitted_at);

  // Removed: it leaves the ranking when the ranker re-ranks it, and every list at once.
  testing::SetStatus(*pool_, a, ReviewStatus::kRemoved);
  EXPECT_EQ(db_->ListReviews({.asin = asin_, .order = ReviewOrder::kNewest})->size(), 1u);
  r = Apply({}, {a});
  ASSERT_EQ(r.reviews.size(), 1u);
  EXPECT_FALSE(r.reviews[0].sort_key.has_value());
  EXPECT_EQ(db_->TopRanked(asin_, 10)->size(), 1u);
  EXPECT_TRUE(db_->GetListedReviews({a})->empty());
  EXPECT_EQ(db_->ListReviews({.asin = asin_, .limit = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VoteLedgerTest, RandomChangedRetractedAndDuplicatedVotesKeepI4) {
  std::vector<std::string> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i) ids.push_back(InsertReview(*pool_, {.asin = asin_}));
  std::mt19937 rng(7);
  std::vector<review::HelpfulVote> all;
  all.reserve(400);
  for (int t = 0; t < 400; ++t) {
    all.push_back(V(ids[rng() % ids.size()], absl::StrCat("u", rng() % 12),
                    static_cast<Vote>(rng() % 3), static_cast<int64_t>(rng() % 50)));
  }
  // Batches of random sizes, each replayed once (at-least-once delivery).
  for (std::ptrdiff_t i = 0; i < std::ssize(all);) {
    const auto n = std::min(static_cast<std::ptrdiff_t>(1 + rng() % 40), std::ssize(all) - i);
    std::vector<review::HelpfulVote> batch(all.begin() + i, all.begin() + i + n);
    Apply(batch);
    Apply(batch);
    i += n;
  }
  ExpectI4();
  auto head = db_->GetReviewHead(ids[0]);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->asin, asin_);
  EXPECT_FALSE(db_->GetReviewHead("0123456789abcdef0123456789abcdef")->has_value());
}

}  // namespace
}  // namespace candor::reviewdb
