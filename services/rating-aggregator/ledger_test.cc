#include "services/rating-aggregator/ledger.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::rating_aggregator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

LedgerEvent Count(const std::string& id) { return {id, "B000000001", LedgerEvent::Kind::kCount}; }
LedgerEvent Uncount(const std::string& id) {
  return {id, "B000000001", LedgerEvent::Kind::kUncount};
}

TEST(PlanPhasesTest, EmptyBatchHasNoPhases) { EXPECT_THAT(PlanPhases({}), IsEmpty()); }

TEST(PlanPhasesTest, IndependentReviewsShareOnePhaseWhateverTheirKinds) {
  auto phases = PlanPhases({Count("a"), Uncount("b"), Count("c"), Uncount("d")});
  ASSERT_EQ(phases.size(), 1u);
  EXPECT_THAT(phases[0].count_ids, ElementsAre("a", "c"));
  EXPECT_THAT(phases[0].uncount_ids, ElementsAre("b", "d"));
}

TEST(PlanPhasesTest, RepeatedSameKindIsListedOnce) {
  auto phases = PlanPhases({Count("a"), Count("a"), Uncount("b"), Uncount("b")});
  ASSERT_EQ(phases.size(), 1u);
  EXPECT_THAT(phases[0].count_ids, ElementsAre("a"));
  EXPECT_THAT(phases[0].uncount_ids, ElementsAre("b"));
}

TEST(PlanPhasesTest, OppositeKindForTheSameReviewStartsANewPhase) {
  // Accepted then Removed of one review: the removal must run after the acceptance.
  auto phases = PlanPhases({Count("a"), Count("b"), Uncount("a"), Count("c")});
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_THAT(phases[0].count_ids, ElementsAre("a", "b"));
  EXPECT_THAT(phases[0].uncount_ids, IsEmpty());
  EXPECT_THAT(phases[1].count_ids, ElementsAre("c"));
  EXPECT_THAT(phases[1].uncount_ids, ElementsAre("a"));
}

TEST(PlanPhasesTest, FlipFlopKeepsOffsetOrder) {
  auto phases = PlanPhases({Count("a"), Uncount("a"), Count("a"), Count("b"), Uncount("a")});
  ASSERT_EQ(phases.size(), 4u);
  EXPECT_THAT(phases[0].count_ids, ElementsAre("a"));
  EXPECT_THAT(phases[1].uncount_ids, ElementsAre("a"));
  EXPECT_THAT(phases[2].count_ids, ElementsAre("a", "b"));
  EXPECT_THAT(phases[3].uncount_ids, ElementsAre("a"));
}

TEST(PlanPhasesTest, AReviewFromAnEarlierPhaseMayJoinTheCurrentOne) {
  // b flips in phase 1; its second event has the kind it would need anyway, so it joins phase 2
  // (which runs after phase 1) instead of opening a third.
  auto phases = PlanPhases({Count("a"), Count("b"), Uncount("a"), Uncount("b")});
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_THAT(phases[1].uncount_ids, ElementsAre("a", "b"));
}

}  // namespace
}  // namespace candor::rating_aggregator
