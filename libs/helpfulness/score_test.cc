#include "libs/helpfulness/score.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace candor::helpfulness {
namespace {

const ScoreParams kSeed;

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST(WilsonLowerBoundTest, MatchesTheClosedFormAtNinetyFivePercent) {
  EXPECT_NEAR(WilsonLowerBound(1, 1, 1.96), 1 / 4.8416, 1e-9);  // the seed's "1 of 1"
  EXPECT_NEAR(WilsonLowerBound(480, 500, 1.96), 0.939026, 1e-6);
  EXPECT_NEAR(WilsonLowerBound(5, 10, 1.96), 0.236589, 1e-6);
}

TEST(WilsonLowerBoundTest, FewVotesRankBelowManyAtTheSameRatio) {
  EXPECT_LT(WilsonLowerBound(1, 1, 1.96), WilsonLowerBound(480, 500, 1.96));
  EXPECT_LT(WilsonLowerBound(9, 10, 1.96), WilsonLowerBound(90, 100, 1.96));
  for (int64_t h = 0; h < 50; ++h) {
    EXPECT_LT(WilsonLowerBound(h, 50, 1.96), WilsonLowerBound(h + 1, 50, 1.96)) << h;
  }
}

TEST(WilsonLowerBoundTest, DegenerateInputsStayInRange) {
  EXPECT_EQ(WilsonLowerBound(0, 0, 1.96), 0);
  EXPECT_EQ(WilsonLowerBound(0, 10, 1.96), 0);
  EXPECT_EQ(WilsonLowerBound(3, -1, 1.96), 0);
  EXPECT_EQ(WilsonLowerBound(-5, 10, 1.96), 0);
  EXPECT_EQ(WilsonLowerBound(20, 10, 1.96), WilsonLowerBound(10, 10, 1.96));
  const double huge = WilsonLowerBound(int64_t{1} << 60, int64_t{1} << 60, 1.96);
  EXPECT_GT(huge, 0.999);
  EXPECT_LE(huge, 1.0);
}

TEST(ScoreTest, SeedFormulaWithGraceDecayAndBoost) {
  const double w = WilsonLowerBound(40, 50, 1.96);
  EXPECT_DOUBLE_EQ(Score(40, 50, false, 10, kSeed), w);  // inside the grace: no decay
  EXPECT_DOUBLE_EQ(Score(40, 50, false, -3, kSeed), w);  // a clock ahead of ours
  EXPECT_DOUBLE_EQ(Score(40, 50, true, 10, kSeed), w * 1.15);
  EXPECT_NEAR(Score(40, 50, false, 30 + 365, kSeed), w * std::exp(-0.0019 * 365), 1e-12);
  EXPECT_EQ(Score(0, 50, true, 0, kSeed), 0);
}

TEST(SortKeyTest, OrdersAsTheScoreDoesAtAnyMomentPastTheGrace) {
  std::mt19937_64 rng(7);
  struct Item {
    int64_t helpful, total;
    bool verified;
    absl::Time created;
    double key;
  };
  std::vector<Item> items;
  std::uniform_int_distribution<int64_t> total(1, 400);
  std::uniform_int_distribution<int> days(0, 3650);
  for (int i = 0; i < 400; ++i) {
    Item it;
    it.total = total(rng);
    it.helpful = std::uniform_int_distribution<int64_t>(1, it.total)(rng);
    it.verified = (rng() & 1) != 0;
    it.created = Day(2010, 1, 1) + absl::Hours(24 * days(rng));
    it.key = SortKey(it.helpful, it.total, it.verified, it.created, kSeed);
    items.push_back(it);
  }
  // Two moments when every item is past its grace: the key's order must not change, and must be
  // the score's order at each of them.
  for (absl::Time now : {Day(2021, 1, 1), Day(2035, 6, 1)}) {
    int compared = 0;
    for (const Item& a : items) {
      for (const Item& b : items) {
        const double sa =
            Score(a.helpful, a.total, a.verified, absl::ToDoubleHours(now - a.created) / 24, kSeed);
        const double sb =
            Score(b.helpful, b.total, b.verified, absl::ToDoubleHours(now - b.created) / 24, kSeed);
        if (std::abs(sa - sb) <= 1e-12 * std::max(sa, sb)) continue;  // a tie either way
        EXPECT_EQ(sa < sb, a.key < b.key);
        ++compared;
      }
    }
    EXPECT_GT(compared, 100000);
  }
}

TEST(SortKeyTest, InsideTheGraceAFreshReviewGainsAtMostTheDocumentedShare) {
  const absl::Time now = Day(2026, 12, 5);
  // A review 1 day old against one 31 days old with the same votes: Score ties them, the key
  // puts the fresh one ahead by exp(0.0019 * 30) at most.
  const double fresh = SortKey(40, 50, false, now - absl::Hours(24), kSeed);
  const double month = SortKey(40, 50, false, now - absl::Hours(24 * 31), kSeed);
  EXPECT_GT(fresh, month);
  EXPECT_LE(fresh - month, 0.0019 * 30 + 1e-12);
}

TEST(SortKeyTest, UnvotedReviewsComeLastNewestFirst) {
  const double voted_old = SortKey(1, 1000, false, Day(1995, 1, 1), kSeed);
  const double unvoted_new = SortKey(0, 0, true, Day(2026, 12, 1), kSeed);
  const double unvoted_old = SortKey(0, 30, true, Day(2020, 1, 1), kSeed);
  EXPECT_LT(unvoted_new, voted_old);
  EXPECT_LT(unvoted_old, unvoted_new);
}

TEST(SortKeyTest, StaysFiniteForAnyTime) {
  for (absl::Time t : {absl::InfinitePast(), absl::InfiniteFuture(), absl::UnixEpoch()}) {
    EXPECT_TRUE(std::isfinite(SortKey(3, 4, true, t, kSeed)));
    EXPECT_TRUE(std::isfinite(SortKey(0, 4, true, t, kSeed)));
  }
  EXPECT_LT(SortKey(3, 4, true, absl::InfinitePast(), kSeed),
            SortKey(3, 4, true, absl::InfiniteFuture(), kSeed));
}

}  // namespace
}  // namespace candor::helpfulness
