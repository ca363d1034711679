#include "libs/reviewdb/review_rows.h"

#include "gtest/gtest.h"

namespace candor::reviewdb {
namespace {

using review::ReviewStatus;

TEST(IsTransitionTest, OnlyTheModerationTransitions) {
  const ReviewStatus all[] = {ReviewStatus::kAwaitingScoring, ReviewStatus::kActive,
                              ReviewStatus::kHeld, ReviewStatus::kRejected, ReviewStatus::kRemoved};
  int allowed = 0;
  for (ReviewStatus from : all) {
    for (ReviewStatus to : all) {
      if (IsTransition(from, to)) ++allowed;
    }
  }
  EXPECT_EQ(allowed, 4);
  EXPECT_TRUE(IsTransition(ReviewStatus::kHeld, ReviewStatus::kActive));     // approve
  EXPECT_TRUE(IsTransition(ReviewStatus::kHeld, ReviewStatus::kRejected));   // reject
  EXPECT_TRUE(IsTransition(ReviewStatus::kActive, ReviewStatus::kRemoved));  // remove
  EXPECT_TRUE(IsTransition(ReviewStatus::kRemoved, ReviewStatus::kActive));  // restore
  EXPECT_FALSE(IsTransition(ReviewStatus::kRejected, ReviewStatus::kActive));
  EXPECT_FALSE(IsTransition(ReviewStatus::kActive, ReviewStatus::kAwaitingScoring));
  EXPECT_FALSE(IsTransition(ReviewStatus::kActive, ReviewStatus::kActive));
}

}  // namespace
}  // namespace candor::reviewdb
