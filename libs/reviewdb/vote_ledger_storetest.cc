// ReviewDb's vote ledger and ranking reads (migrations 0006, 0007) on the real Postgres of the test
// stack (ctest fixture `stack`). helpfulness-ranker's integration test covers them end to end.
#include <algorithm>
#include <cstddef>
#include <future>
#include <random>

#include "gtest/gtest.h"
#include "libs/pg/array_literal.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"

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

// Runs `sql` with `args` on its own connection (a corruption no service makes, or a read of
// what is committed).
template <typename... Args>
pqxx::result Sql(const std::string& sql, const Args&... args) {
  pqxx::connection c(candor::testing::PgDsn());
  pqxx::work tx(c);
  pqxx::result r = tx.exec_params(sql, args...);
  tx.commit();
  return r;
}

// review_ranks' (helpful_votes, total_votes) of `review_id` as committed.
std::pair<int64_t, int64_t> RankCounts(const std::string& review_id) {
  pqxx::result r =
      Sql("SELECT helpful_votes, total_votes FROM review_ranks WHERE review_id = $1", review_id);
  if (r.empty()) return {-1, -1};
  return {r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
}

TEST_F(VoteLedgerTest, ListRankedAsinsPagesTheProductsWithRanksOrVotesOfAPrefix) {
  // Products of one fresh prefix: voted, ranked without votes, neither, and one whose only trace
  // is a ledger row (its review_ranks row deleted by hand).
  const std::string prefix = candor::testing::UniqueAsin().substr(0, 8);
  const std::string voted = prefix + "A1", ranked = prefix + "B2", bare = prefix + "C3",
                    ledger_only = prefix + "D4";
  const std::string v = InsertReview(*pool_, {.asin = voted});
  const std::string r = InsertReview(*pool_, {.asin = ranked});
  InsertReview(*pool_, {.asin = bare});
  const std::string l = InsertReview(*pool_, {.asin = ledger_only});
  asin_ = voted;
  Apply({V(v, "a", Vote::kHelpful, 1)}, {r});
  asin_ = ledger_only;
  Apply({V(l, "a", Vote::kNotHelpful, 1)});
  Sql("DELETE FROM review_ranks WHERE review_id = $1", l);

  const std::vector<std::string> want = {voted, ranked, ledger_only};
  for (int page : {1, 2, 3, 10}) {
    std::vector<std::string> got;
    std::string after;
    for (int calls = 0; calls < 10; ++calls) {
      auto asins = db_->ListRankedAsins(prefix, after, page);
      ASSERT_TRUE(asins.ok()) << asins.status();
      got.insert(got.end(), asins->begin(), asins->end());
      if (static_cast<int>(asins->size()) < page) break;
      after = asins->back();
    }
    EXPECT_EQ(got, want) << "page " << page;
  }
  EXPECT_EQ(*db_->ListRankedAsins(prefix, voted, 10),
            std::vector<std::string>({ranked, ledger_only}));
  EXPECT_TRUE(db_->ListRankedAsins(prefix + "Z", "", 10)->empty());
  EXPECT_EQ(db_->ListRankedAsins(prefix, "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);

  // ListRanks: the ranked or voted reviews of the products, with what ranking them needs (the
  // one without a rank as 0, 0, no key).
  auto ranks = db_->ListRanks({voted, ranked, bare, ledger_only});
  ASSERT_TRUE(ranks.ok()) << ranks.status();
  ASSERT_EQ(ranks->size(), 3u);
  for (const RankedReview& rr : *ranks) {
    EXPECT_EQ(rr.asin, rr.review_id == v ? voted : rr.review_id == r ? ranked : ledger_only);
    EXPECT_EQ(rr.helpful_votes, rr.review_id == v ? 1 : 0);
    EXPECT_EQ(rr.total_votes, rr.review_id == v ? 1 : 0);
    EXPECT_EQ(rr.status, ReviewStatus::kActive);
    if (rr.review_id == l) {
      EXPECT_FALSE(rr.sort_key.has_value());
    } else {
      EXPECT_EQ(rr.sort_key, TestKey(rr));
    }
  }
}

TEST_F(VoteLedgerTest, RecountVotesRepairsCorruptCountsAndKeysAndLeavesRightRowsAlone) {
  const std::string bad = InsertReview(*pool_, {.asin = asin_});
  const std::string good = InsertReview(*pool_, {.asin = asin_});
  const std::string removed = InsertReview(*pool_, {.asin = asin_});
  const std::string lost = InsertReview(*pool_, {.asin = asin_});
  Apply({V(bad, "a", Vote::kHelpful, 1), V(bad, "b", Vote::kHelpful, 1),
         V(bad, "c", Vote::kNotHelpful, 1), V(good, "a", Vote::kHelpful, 1),
         V(removed, "a", Vote::kHelpful, 1), V(lost, "a", Vote::kNotHelpful, 1)});
  // Corruptions: counts changed by hand; a removed review whose key stayed; a ledger row whose
  // review lost its review_ranks row.
  Sql("UPDATE review_ranks SET helpful_votes = 5, total_votes = 9 WHERE review_id = $1", bad);
  testing::SetStatus(*pool_, removed, ReviewStatus::kRemoved);
  Sql("DELETE FROM review_ranks WHERE review_id = $1", lost);
  const std::string unknown = "0123456789abcdef0123456789abcdef";

  absl::StatusOr<VoteResult> r = db_->RecountVotes({bad, good, removed, lost, unknown}, TestKey);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->changed, 3);  // bad's counts, removed's key, lost's row
  EXPECT_EQ(r->unchanged, 1);
  EXPECT_EQ(r->unknown, 1);
  ASSERT_EQ(r->reviews.size(), 4u);
  for (const RankedReview& rr : r->reviews) {
    if (rr.review_id == removed) {
      EXPECT_FALSE(rr.sort_key.has_value());
    } else {
      EXPECT_EQ(rr.sort_key, TestKey(rr)) << rr.review_id;
    }
  }
  EXPECT_EQ(RankCounts(bad), std::make_pair(int64_t{2}, int64_t{3}));
  EXPECT_EQ(RankCounts(good), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(RankCounts(lost), std::make_pair(int64_t{0}, int64_t{1}));
  EXPECT_TRUE(
      Sql("SELECT 1 FROM review_ranks WHERE review_id = $1 AND sort_key IS NULL", removed).size() ==
      1);
  ExpectI4();
  // A second recount finds nothing to do.
  r = db_->RecountVotes({bad, good, removed, lost}, TestKey);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->changed, 0);
  EXPECT_EQ(r->unchanged, 4);
}

TEST_F(VoteLedgerTest, RecountVotesWaitsForTheRowLockAndCommitsAsOneTransaction) {
  // Two corrupt reviews; `first` sorts before `second`, so the recount locks `first`, then waits
  // for `second`, which another transaction holds as ApplyVotes would while it adds a vote.
  std::string first = InsertReview(*pool_, {.asin = asin_});
  std::string second = InsertReview(*pool_, {.asin = asin_});
  if (second < first) std::swap(first, second);
  Apply({V(first, "a", Vote::kHelpful, 1), V(second, "a", Vote::kHelpful, 1)});
  Sql("UPDATE review_ranks SET helpful_votes = 0, total_votes = 7 WHERE review_id = ANY($1)",
      pg::ArrayLiteral(std::vector<std::string>{first, second}));

  pqxx::connection holder_conn(candor::testing::PgDsn());
  pqxx::work holder(holder_conn);
  holder.exec_params("SELECT 1 FROM review_ranks WHERE review_id = $1 FOR NO KEY UPDATE", second);
  std::future<absl::StatusOr<VoteResult>> recount = std::async(std::launch::async, [&] {
    return db_->RecountVotes({first, second}, TestKey);
  });
  // The recount waits on the lock (pg_locks shows a backend waiting for a row of review_ranks).
  ASSERT_TRUE(candor::testing::WaitUntil([] {
    return Sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
               "query LIKE '%FOR NO KEY UPDATE OF k%'")[0][0]
               .as<int64_t>() > 0;
  }));
  // Nothing of it is committed yet: `first`, which it has locked and read, is still corrupt.
  EXPECT_EQ(RankCounts(first), std::make_pair(int64_t{0}, int64_t{7}));
  // The holder adds a vote on `second` the way ApplyVotes does (ledger row and counts together).
  holder.exec_params(
      "INSERT INTO helpful_votes (review_id, user_id, vote, voted_at) VALUES ($1, 'b', "
      "'helpful', now())",
      second);
  holder.commit();
  absl::StatusOr<VoteResult> r = recount.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->changed, 2);
  // The recount read the ledger after the lock: the holder's vote is counted.
  EXPECT_EQ(RankCounts(first), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(RankCounts(second), std::make_pair(int64_t{2}, int64_t{2}));
  ExpectI4();
}

}  // namespace
}  // namespace candor::reviewdb
