// The loaders, the split and the baselines on the real data sets in ../shared/data, when that
// folder is beside the repo; each test skips with the reason otherwise. The figures asserted are
// the published counts of the files and wide bands around the measured metrics (README.md), so a
// broken protocol (a leak, a missing mask, sampled negatives) fails here.

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/item_knn.h"
#include "libs/reco/loaders.h"
#include "libs/reco/popularity.h"
#include "libs/reco/split.h"

namespace candor::reco {
namespace {

const std::string kData = std::string(CANDOR_SOURCE_DIR) + "/../shared/data";

TEST(BeautyDataTest, LoadsSplitsAndRanksThePublishedFile) {
  const std::string dir = kData + "/amazon-beauty-5core-sequences";
  if (!std::filesystem::exists(dir + "/Beauty_item_org_rank.txt")) {
    GTEST_SKIP() << dir << " is absent (the shared data folder is not here)";
  }
  LoadReport report;
  absl::StatusOr<InteractionLog> log = LoadBeautySequences(dir, {}, &report);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report.interactions, 198502);
  EXPECT_EQ(log->num_users(), 22363);
  EXPECT_EQ(log->num_items(), 12101);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(*log);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->evaluated_users.size(), 22363u);  // 5-core: everyone has >= 5
  EXPECT_EQ(split->train.num_events(), 198502 - 2 * 22363);

  Popularity pop;
  ASSERT_TRUE(pop.Fit(split->train).ok());
  const EvalResult p = Evaluate(pop, *split, Holdout::kTest, {});
  EXPECT_GT(p.ndcg[0], 0.003);
  EXPECT_LT(p.ndcg[0], 0.012);  // 100 sampled negatives would give about ten times more

  ItemKnn knn({.max_neighbours = 0, .neighbours = 100, .decay = 0.8});
  ASSERT_TRUE(knn.Fit(split->train).ok());
  const EvalResult k = Evaluate(knn, *split, Holdout::kTest, {});
  EXPECT_GT(k.ndcg[0], 2 * p.ndcg[0]);
  EXPECT_LT(k.ndcg[0], 0.08);
}

TEST(MusicalInstrumentsDataTest, LoadsTheJsonFileAndRanks) {
  const std::string path =
      kData + "/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << path << " is absent (the shared data folder is not here)";
  }
  LoadReport report;
  absl::StatusOr<InteractionLog> log = LoadAmazonJson(path, {}, &report);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report.interactions, 10261);
  EXPECT_EQ(report.skipped, 0);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(*log);
  ASSERT_TRUE(split.ok()) << split.status();
  Popularity pop;
  ASSERT_TRUE(pop.Fit(split->train).ok());
  const EvalResult p = Evaluate(pop, *split, Holdout::kTest, {});
  EXPECT_EQ(p.users, static_cast<int64_t>(split->evaluated_users.size()));
  EXPECT_GT(p.hit[0], 0.0);
  EXPECT_LT(p.hit[0], 0.5);
}

}  // namespace
}  // namespace candor::reco
