#include "services/fraud-scorer/rescore/rescore_report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::fraud_scorer::rescore {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ProgressLineTest, DoneTotalRateAndEta) {
  EXPECT_EQ(ProgressLine(2500, 10000, absl::Seconds(5)),
            "2500/10000 reviews (25%), 500/s, ETA 0:00:15");
  EXPECT_EQ(ProgressLine(0, 10, absl::ZeroDuration()), "0/10 reviews (0%), 0/s");
  EXPECT_EQ(ProgressLine(10, 10, absl::Seconds(2)), "10/10 reviews (100%), 5/s");
  // More than counted at the start (reviews added meanwhile): no ETA, never over 100%.
  EXPECT_EQ(ProgressLine(12, 10, absl::Seconds(4)), "12/10 reviews (100%), 3/s");
  EXPECT_THAT(ProgressLine(1, 100000, absl::Seconds(1)), HasSubstr("ETA 27:46:39"));
}

TEST(ReportTest, RendersChangesExamplesMovesEventsAndSkips) {
  Report report(/*examples=*/1);
  report.Selected(5);
  report.Read(5);
  report.Decided("unscored", "reject", "r1", 0.9,
                 {{.code = "rating", .value = 1, .weight = 0.9, .text = "1 star"}});
  report.Decided("unscored", "reject", "r2", 0.9, {});
  report.Moved(review::ReviewStatus::kActive, review::ReviewStatus::kRejected);
  report.Moved(review::ReviewStatus::kActive, review::ReviewStatus::kRejected);
  report.Event(EventKind::kRemoved, false);
  report.Event(EventKind::kRemoved, false);
  report.Event(EventKind::kAccepted, true);
  report.Skipped(Skip::kModerated);
  report.Unscored("r5", "features_unavailable: down");
  EXPECT_EQ(report.decided(), 2);
  EXPECT_EQ(report.moved(), 2);
  EXPECT_EQ(report.events(), 3);
  EXPECT_EQ(report.unscored(), 1);

  const std::string shadow = report.Render("header\n", /*apply=*/false);
  EXPECT_THAT(shadow, HasSubstr("header\nselected 5 reviews, read 5\n"));
  EXPECT_THAT(shadow, HasSubstr("decisions this model would make"));
  EXPECT_THAT(shadow, HasSubstr("  unscored -> reject        2\n"));
  EXPECT_THAT(shadow, HasSubstr("r1 (score 0.900): rating=1 (+0.90)"));
  EXPECT_THAT(shadow, Not(HasSubstr("r2 (score")));  // one example per change
  EXPECT_THAT(shadow, HasSubstr("  active   -> rejected        2  Removed (uncounts)"));
  EXPECT_THAT(shadow, HasSubstr("events an apply would publish: Accepted 1, Removed 2 (of them "
                                "sent again for reviews already decided: Accepted 1, Removed 0)"));
  EXPECT_THAT(shadow, HasSubstr("1  decided by a moderator"));
  EXPECT_THAT(shadow, HasSubstr("could not be scored (left as they are; run again): 1\n      r5: "
                                "features_unavailable: down"));
  EXPECT_THAT(report.Render("", /*apply=*/true), HasSubstr("events published: "));
}

}  // namespace
}  // namespace candor::fraud_scorer::rescore
