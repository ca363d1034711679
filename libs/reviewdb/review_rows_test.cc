#include "libs/reviewdb/review_rows.h"

#include "gtest/gtest.h"

namespace candor::reviewdb {
namespace {

using review::kEveryStatus;
using review::ReviewStatus;

TEST(IsTransitionTest, OnlyTheModerationTransitions) {
  int allowed = 0;
  for (ReviewStatus from : kEveryStatus) {
    for (ReviewStatus to : kEveryStatus) {
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

TEST(IsRescoreTransitionTest, BetweenTheStatusesADecisionRoutesTo) {
  const ReviewStatus scored[] = {ReviewStatus::kActive, ReviewStatus::kHeld,
                                 ReviewStatus::kRejected};
  int allowed = 0;
  for (ReviewStatus from : kEveryStatus) {
    for (ReviewStatus to : kEveryStatus) {
      if (IsRescoreTransition(from, to)) ++allowed;
    }
  }
  EXPECT_EQ(allowed, 9);
  for (ReviewStatus from : scored) {
    for (ReviewStatus to : scored) EXPECT_TRUE(IsRescoreTransition(from, to));
  }
  // A moderator's removal is never undone by a re-score, and nothing is moved to removed.
  EXPECT_FALSE(IsRescoreTransition(ReviewStatus::kRemoved, ReviewStatus::kActive));
  EXPECT_FALSE(IsRescoreTransition(ReviewStatus::kActive, ReviewStatus::kRemoved));
  EXPECT_FALSE(IsRescoreTransition(ReviewStatus::kHeld, ReviewStatus::kAwaitingScoring));
}

}  // namespace
}  // namespace candor::reviewdb
