#include "tools/candor-helpful-eval/evaluation.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace candor::helpful_eval {
namespace {

size_t IndexOf(Order order) {
  for (size_t i = 0; i < std::size(kAllOrders); ++i) {
    if (kAllOrders[i] == order) return i;
  }
  return 0;
}

TEST(SplitTest, KeepsEveryVoteAndDealsAboutTheShare) {
  std::mt19937_64 rng(3);
  VotedReview r{"r", "p", 6000, 10000, absl::UnixEpoch()};
  int64_t seen = 0;
  for (int i = 0; i < 20; ++i) {
    SplitVotes s = Split(r, 0.5, rng);
    EXPECT_EQ(s.seen_helpful + s.future_helpful, 6000);
    EXPECT_EQ(s.seen_total + s.future_total, 10000);
    EXPECT_GE(s.seen_helpful, 0);
    EXPECT_LE(s.seen_helpful, s.seen_total);
    EXPECT_LE(s.future_helpful, s.future_total);
    seen += s.seen_total;
  }
  EXPECT_NEAR(static_cast<double>(seen) / (20 * 10000), 0.5, 0.01);
  SplitVotes none = Split(VotedReview{"r", "p", 5, 0, absl::UnixEpoch()}, 0.5, rng);
  EXPECT_EQ(none.seen_total + none.future_total, 0);
}

TEST(NdcgTest, PerfectReversedAndCutOff) {
  EXPECT_DOUBLE_EQ(NdcgAtK({1.0, 0.5, 0.0}, 10), 1.0);
  EXPECT_NEAR(NdcgAtK({0.0, 1.0}, 10), 1 / std::log2(3.0), 1e-12);
  EXPECT_DOUBLE_EQ(NdcgAtK({0.0, 0.0}, 10), 1.0);  // nothing to find
  // Beyond k nothing counts: the best item at rank 3 with k = 2 scores 0.
  EXPECT_DOUBLE_EQ(NdcgAtK({0.0, 0.0, 1.0}, 2), 0.0);
}

TEST(RankTest, EachOrderSortsByItsOwnKey) {
  const VotedReview one_of_one{"a", "p", 0, 0, absl::FromUnixSeconds(300)};
  const VotedReview many{"b", "p", 0, 0, absl::FromUnixSeconds(100)};
  const VotedReview none{"c", "p", 0, 0, absl::FromUnixSeconds(200)};
  std::vector<JudgedReview> judged = {
      {&one_of_one, SplitVotes{1, 1, 0, 0}, 0},
      {&many, SplitVotes{480, 500, 0, 0}, 0},
      {&none, SplitVotes{0, 0, 0, 0}, 0},
  };
  std::mt19937_64 rng(1);
  auto ids = [&](Order order) {
    std::string out;
    for (const JudgedReview& j : Rank(judged, order, helpfulness::ScoreParams{}, rng)) {
      out += j.review->id;
    }
    return out;
  };
  EXPECT_EQ(ids(Order::kWilson), "bac");
  EXPECT_EQ(ids(Order::kHelpfulCount), "bac");
  EXPECT_EQ(ids(Order::kHelpfulRatio), "abc");  // 1 of 1 beats 480 of 500
  EXPECT_EQ(ids(Order::kNewest), "acb");
  EXPECT_EQ(ids(Order::kCandorKey), "bac");
}

// Products whose reviews have a true helpfulness drawn at random and votes drawn from it: ranking
// on the seen half by Wilson must beat a shuffle and newest-first by a wide margin.
TEST(EvaluateSeedTest, WilsonFindsTheTrulyHelpfulReviewsOnSimulatedVotes) {
  std::mt19937_64 rng(11);
  std::vector<VotedReview> reviews;
  std::uniform_real_distribution<double> quality(0, 1);
  std::uniform_int_distribution<int64_t> votes(4, 60);
  for (int p = 0; p < 60; ++p) {
    for (int i = 0; i < 12; ++i) {
      VotedReview r;
      r.id = "p" + std::to_string(p) + "r" + std::to_string(i);
      r.asin = "P" + std::to_string(p);
      r.total = votes(rng);
      r.helpful = std::binomial_distribution<int64_t>(r.total, quality(rng))(rng);
      r.created = absl::FromUnixSeconds(1'300'000'000 + i * 86400);
      reviews.push_back(r);
    }
  }
  // One product with a single review and one whose judged reviews all tie: both left out.
  reviews.push_back({"lone", "LONE", 10, 20, absl::UnixEpoch()});
  reviews.push_back({"t1", "TIE", 0, 40, absl::UnixEpoch()});
  reviews.push_back({"t2", "TIE", 0, 40, absl::UnixEpoch()});
  SeedResult r = EvaluateSeed(reviews, 5, Options{});
  EXPECT_EQ(r.products, 60);
  EXPECT_EQ(r.cases.size(), 60u);
  const double wilson = r.ndcg[IndexOf(Order::kWilson)];
  EXPECT_GT(wilson, r.ndcg[IndexOf(Order::kRandom)] + 0.1);
  EXPECT_GT(wilson, r.ndcg[IndexOf(Order::kNewest)] + 0.1);
  for (double n : r.ndcg) {
    EXPECT_GE(n, 0);
    EXPECT_LE(n, 1);
  }
  // The same seed gives the same figures.
  SeedResult again = EvaluateSeed(reviews, 5, Options{});
  EXPECT_EQ(again.ndcg, r.ndcg);
}

}  // namespace
}  // namespace candor::helpful_eval
