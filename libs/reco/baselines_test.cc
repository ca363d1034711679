#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/item_knn.h"
#include "libs/reco/loaders.h"
#include "libs/reco/popularity.h"
#include "libs/testing/temp_dir.h"

namespace candor::reco {
namespace {

// Four shoppers on items a..e, read from a TSV as the tool would.
//   u1: a b c d   u2: a b c e   u3: a b d   u4: b c
// Train parts (all but the last two): u1 a b, u2 a b, u3 a, u4 -(two interactions: train b c).
constexpr char kTsv[] =
    "u1\ta\t5\t1\nu1\tb\t5\t2\nu1\tc\t5\t3\nu1\td\t5\t4\n"
    "u2\ta\t4\t1\nu2\tb\t4\t2\nu2\tc\t4\t3\nu2\te\t4\t4\n"
    "u3\ta\t3\t1\nu3\tb\t3\t5\nu3\td\t3\t6\n"
    "u4\tb\t2\t1\nu4\tc\t2\t2\n";

class BaselinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = dir_.Path("tiny.tsv");
    std::ofstream(path) << kTsv;
    LoadReport report;
    absl::StatusOr<InteractionLog> log = LoadTsv(path, {}, &report);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log_);
    ASSERT_TRUE(split.ok()) << split.status();
    split_ = *std::move(split);
  }
  int32_t Item(const char* id) const { return *log_.FindItem(id); }
  std::vector<float> ScoreFor(Recommender& model, const char* user, Holdout h) {
    const int32_t u = *log_.FindUser(user);
    std::vector<float> s(static_cast<std::size_t>(log_.num_items()));
    model.Score(Query{u, split_.History(u, h), split_.Target(u, h).unix_time}, s);
    return s;
  }

  candor::testing::TempDir dir_{"candor-reco-baselines"};
  InteractionLog log_;
  LeaveOneOutSplit split_;
};

TEST_F(BaselinesTest, PopularityCountsTrainInteractionsOnly) {
  Popularity pop;
  ASSERT_TRUE(pop.Fit(split_.train).ok());
  // Train: a x3 (u1 u2 u3), b x3 (u1 u2 u4), c x1 (u4), d 0, e 0.
  EXPECT_THAT(ScoreFor(pop, "u1", Holdout::kTest), ::testing::ElementsAre(3, 3, 1, 0, 0));
  // u1's test (d, history a b c masked): d ties with e at 0 -> expected rank 0.5.
  // u2's test (e): same. u3's test (d, history a b masked): c (1) beats it, ties with e.
  const EvalResult r = Evaluate(pop, split_, Holdout::kTest, {.cutoffs = {1}, .progress = {}});
  EXPECT_EQ(r.users, 3);
  EXPECT_DOUBLE_EQ(r.hit[0], (0.5 + 0.5 + 0) / 3);
}

TEST_F(BaselinesTest, PopularityWindowCountsTheRecentPast) {
  // All train events lie at t = 1 or 2; a window of 1 day before t = 86400 * 10 is empty, so the
  // all-time counts alone order the items (scaled below 1). The window excludes `now` itself.
  Popularity pop(/*window_days=*/1);
  ASSERT_TRUE(pop.Fit(split_.train).ok());
  std::vector<float> s(5);
  pop.Score(Query{0, {}, 5}, s);
  EXPECT_NEAR(s[Item("a")], 3 + 3.0 / 4, 1e-6);  // 3 in the window + tie-break 3/(3+1)
  EXPECT_NEAR(s[Item("c")], 1 + 1.0 / 4, 1e-6);
  pop.Score(Query{0, {}, 86400 * 10}, s);
  EXPECT_NEAR(s[Item("a")], 3.0 / 4, 1e-6);
  EXPECT_NEAR(s[Item("d")], 0, 1e-6);
  pop.Score(Query{0, {}, 2}, s);  // earlier than the last query: the slide restarts
  EXPECT_NEAR(s[Item("a")], 3 + 3.0 / 4, 1e-6);
  EXPECT_NEAR(s[Item("b")], 1 + 3.0 / 4, 1e-6);  // only u4's b@1: u1's and u2's b@2 are not
  EXPECT_NEAR(s[Item("c")], 0 + 1.0 / 4, 1e-6);  // before now = 2
}

TEST_F(BaselinesTest, ItemKnnCosineOfCoOccurrence) {
  ItemKnn knn({.max_neighbours = 0, .neighbours = 0, .decay = 1.0});
  ASSERT_TRUE(knn.Fit(split_.train).ok());
  // Train user sets: a {u1 u2 u3}, b {u1 u2 u4}, c {u4}.
  // cos(a, b) = 2 / sqrt(3 * 3); cos(b, c) = 1 / sqrt(3 * 1); a and c never co-occur.
  const auto near_b = knn.NeighboursOf(Item("b"));
  ASSERT_EQ(near_b.size(), 2u);
  EXPECT_EQ(near_b[0].item, Item("a"));
  EXPECT_FLOAT_EQ(near_b[0].similarity, 2.0F / 3.0F);
  EXPECT_EQ(near_b[1].item, Item("c"));
  EXPECT_FLOAT_EQ(near_b[1].similarity, static_cast<float>(1 / std::sqrt(3.0)));
  EXPECT_TRUE(knn.NeighboursOf(Item("d")).empty());

  // u3's test history is a b (oldest first). Decay 0.5: b weighs 1, a weighs 0.5.
  knn.SetScoring(0, 0.5);
  const std::vector<float> s = ScoreFor(knn, "u3", Holdout::kTest);
  EXPECT_FLOAT_EQ(s[Item("a")], 1.0F * (2.0F / 3.0F));
  EXPECT_FLOAT_EQ(s[Item("b")], 0.5F * (2.0F / 3.0F));
  EXPECT_FLOAT_EQ(s[Item("c")], static_cast<float>(1 / std::sqrt(3.0)));
  // d and e are reached by no history item: backfilled below zero, by popularity (both 0).
  EXPECT_LT(s[Item("d")], 0);
  EXPECT_FLOAT_EQ(s[Item("d")], -1.0F);
  EXPECT_EQ(knn.Name(), "itemknn(k=all,decay=0.5)");
}

TEST_F(BaselinesTest, ItemKnnKeepsOnlyTheTopNeighbours) {
  ItemKnn knn({.max_neighbours = 1, .neighbours = 1, .decay = 1.0});
  ASSERT_TRUE(knn.Fit(split_.train).ok());
  ASSERT_EQ(knn.NeighboursOf(Item("b")).size(), 1u);
  EXPECT_EQ(knn.NeighboursOf(Item("b"))[0].item, Item("a"));
}

TEST_F(BaselinesTest, FitRefusesAnEmptyTrainSet) {
  const Sequences empty(3, {0, 0}, {});
  EXPECT_TRUE(absl::IsInvalidArgument(Popularity().Fit(empty)));
  EXPECT_TRUE(absl::IsInvalidArgument(ItemKnn({}).Fit(empty)));
}

}  // namespace
}  // namespace candor::reco
