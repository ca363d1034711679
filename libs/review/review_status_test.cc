#include "libs/review/review_status.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace candor::review {
namespace {

TEST(ReviewStatusTest, EveryStatusHasOneDistinctNameThatParsesBack) {
  std::set<std::string, std::less<>> names;
  for (ReviewStatus s : kEveryStatus) {
    const std::string_view name = StatusName(s);
    EXPECT_TRUE(names.emplace(name).second) << name;
    EXPECT_EQ(ParseStatus(name), s) << name;
  }
}

TEST(ReviewStatusTest, AwaitingScoringAndHeldForAModeratorAreNotTheSameWord) {
  EXPECT_EQ(StatusName(ReviewStatus::kAwaitingScoring), "awaiting_scoring");
  EXPECT_EQ(StatusName(ReviewStatus::kHeld), "held");
  EXPECT_EQ(ParseStatus("pending"), std::nullopt);  // the retired, ambiguous name
  EXPECT_EQ(ParseStatus("Active"), std::nullopt);
  EXPECT_EQ(ParseStatus(""), std::nullopt);
}

TEST(ReviewStatusTest, OnlyActiveReviewsCount) {
  EXPECT_TRUE(Counts(ReviewStatus::kActive));
  EXPECT_FALSE(Counts(ReviewStatus::kAwaitingScoring));
  EXPECT_FALSE(Counts(ReviewStatus::kHeld));
  EXPECT_FALSE(Counts(ReviewStatus::kRejected));
  EXPECT_FALSE(Counts(ReviewStatus::kRemoved));
}

}  // namespace
}  // namespace candor::review
