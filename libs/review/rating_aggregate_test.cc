#include "libs/review/rating_aggregate.h"

#include "gtest/gtest.h"

namespace candor::review {
namespace {

TEST(RatingAggregateTest, AddThenRemoveRestoresExactly) {
  RatingAggregate a;
  a.Apply(5, true, 1);
  a.Apply(3, false, 1);
  a.Apply(1, true, 1);
  EXPECT_EQ(a.count, 3);
  EXPECT_EQ(a.sum, 9);
  EXPECT_EQ(a.verified_count, 2);
  EXPECT_EQ(a.verified_sum, 6);
  EXPECT_EQ(a.stars[0], 1);
  EXPECT_EQ(a.stars[4], 1);
  EXPECT_DOUBLE_EQ(a.Average(), 3.0);
  EXPECT_DOUBLE_EQ(a.VerifiedAverage(), 3.0);
  RatingAggregate before = a;
  a.Apply(4, true, 1);
  a.Apply(4, true, -1);
  EXPECT_TRUE(a.SameCounts(before));
}

TEST(RatingAggregateTest, BayesianDisplayAverage) {
  RatingAggregate a;
  DisplayPrior prior;  // C = 10, m = 3
  EXPECT_DOUBLE_EQ(a.DisplayAverage(prior), 3.0);
  a.Apply(5, false, 1);
  EXPECT_DOUBLE_EQ(a.DisplayAverage(prior), 35.0 / 11.0);
  for (int i = 0; i < 99; ++i) a.Apply(5, false, 1);
  EXPECT_DOUBLE_EQ(a.DisplayAverage(prior), (30.0 + 500.0) / 110.0);
}

}  // namespace
}  // namespace candor::review
