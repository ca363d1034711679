#include "libs/reco/split.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::reco {
namespace {

std::vector<int32_t> Items(std::span<const Event> events) {
  std::vector<int32_t> out;
  for (const Event& e : events) out.push_back(e.item);
  return out;
}

TEST(SplitTest, OrdersByTimeStablyAndHoldsOutTheLastTwo) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  const int32_t v = log.InternUser("v");
  for (const char* item : {"a", "b", "c", "d", "e"}) log.InternItem(item);
  // u in file order: a@30 b@10 c@20 d@20 e@40 -> by time, ties in file order: b c d a e.
  log.Add(u, 0, kNoRating, 30);
  log.Add(u, 1, kNoRating, 10);
  log.Add(v, 0, kNoRating, 5);  // v has two interactions: train only
  log.Add(u, 2, kNoRating, 20);
  log.Add(u, 3, kNoRating, 20);
  log.Add(v, 4, kNoRating, 6);
  log.Add(u, 4, kNoRating, 40);

  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(Items(split->sequences.Of(u)), ::testing::ElementsAre(1, 2, 3, 0, 4));
  EXPECT_THAT(Items(split->train.Of(u)), ::testing::ElementsAre(1, 2, 3));
  EXPECT_EQ(split->Target(u, Holdout::kValidation).item, 0);
  EXPECT_EQ(split->Target(u, Holdout::kTest).item, 4);
  EXPECT_THAT(Items(split->History(u, Holdout::kValidation)), ::testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(Items(split->History(u, Holdout::kTest)), ::testing::ElementsAre(1, 2, 3, 0));
  EXPECT_THAT(split->evaluated_users, ::testing::ElementsAre(u));
  EXPECT_EQ(split->short_users, 1);
  EXPECT_THAT(Items(split->train.Of(v)), ::testing::ElementsAre(0, 4));
  EXPECT_EQ(split->train.num_events(), 5);
}

TEST(SplitTest, NoFutureLeaksIntoAUsersTrainOrHistory) {
  std::mt19937 rng(7);
  InteractionLog log;
  for (int i = 0; i < 50; ++i) log.InternItem(std::to_string(i));
  for (int u = 0; u < 300; ++u) {
    const int32_t user = log.InternUser(std::to_string(u));
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      // Coarse times so ties are common, in random file order.
      log.Add(user, static_cast<int32_t>(rng() % 50), kNoRating, static_cast<int64_t>(rng() % 6));
    }
  }
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok()) << split.status();
  int64_t held = 0;
  for (const int32_t u : split->evaluated_users) {
    const Event& validation = split->Target(u, Holdout::kValidation);
    const Event& test = split->Target(u, Holdout::kTest);
    EXPECT_LE(validation.unix_time, test.unix_time);
    for (const Event& e : split->train.Of(u)) {
      EXPECT_LE(e.unix_time, validation.unix_time);
      EXPECT_LE(e.unix_time, test.unix_time);
    }
    for (const Event& e : split->History(u, Holdout::kTest)) EXPECT_LE(e.unix_time, test.unix_time);
    EXPECT_EQ(split->train.Of(u).size() + 2, split->sequences.Of(u).size());
    held += 2;
  }
  EXPECT_EQ(split->train.num_events() + held, static_cast<int64_t>(log.interactions().size()));
}

TEST(SplitTest, NoUserWithThreeInteractionsIsAnError) {
  InteractionLog log;
  log.Add(log.InternUser("u"), log.InternItem("a"), kNoRating, 1);
  log.Add(log.InternUser("u"), log.InternItem("b"), kNoRating, 2);
  EXPECT_TRUE(absl::IsInvalidArgument(SplitLeaveOneOut(log).status()));
}

}  // namespace
}  // namespace candor::reco
