#include "libs/reco/split.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reco/evaluation.h"

namespace candor::reco {
namespace {

std::vector<int32_t> Items(std::span<const Event> events) {
  std::vector<int32_t> out;
  for (const Event& e : events) out.push_back(e.item);
  return out;
}

// `users` users named "0", "1"..., each with 1 to `max_events` interactions with random items of
// `items` (named alike) at random times in [0, `times`), in random file order: the same log for
// the same seed.
InteractionLog RandomLog(uint32_t seed, uint32_t items, int users, uint32_t max_events,
                         uint32_t times) {
  std::mt19937 rng(seed);
  InteractionLog log;
  for (uint32_t i = 0; i < items; ++i) log.InternItem(std::to_string(i));
  for (int u = 0; u < users; ++u) {
    const int32_t user = log.InternUser(std::to_string(u));
    const int n = 1 + static_cast<int>(rng() % max_events);
    for (int k = 0; k < n; ++k) {
      log.Add(user, static_cast<int32_t>(rng() % items), kNoRating,
              static_cast<int64_t>(rng() % times));
    }
  }
  return log;
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
  // Coarse times so ties are common.
  const InteractionLog log = RandomLog(7, 50, 300, 12, 6);
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

TEST(SplitTest, LeaveOneOutEvaluatesTheSameUsersOnBothHoldouts) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  for (int t = 0; t < 4; ++t) log.Add(u, log.InternItem(std::to_string(t)), kNoRating, t);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->mode, SplitMode::kLeaveOneOut);
  EXPECT_EQ(split->Users(Holdout::kValidation), split->Users(Holdout::kTest));
  EXPECT_EQ(split->Protocol(), kProtocol);
}

// A hand-made log split at 100 / 200; each user's comment gives its events as item@time.
TEST(TimeSplitTest, HoldsOutEachUsersFirstEventAfterEachCutoff) {
  InteractionLog log;
  for (const char* item : {"a", "b", "c", "d", "e", "f"}) log.InternItem(item);
  const int32_t u = log.InternUser("u");  // a@10 b@50 c@120 d@150 e@210 f@300, file order mixed
  log.Add(u, 4, kNoRating, 210);
  log.Add(u, 0, kNoRating, 10);
  log.Add(u, 2, kNoRating, 120);
  log.Add(u, 5, kNoRating, 300);
  log.Add(u, 1, kNoRating, 50);
  log.Add(u, 3, kNoRating, 150);
  const int32_t v = log.InternUser("v");  // a@20 b@250: train, no validation event, a test
  log.Add(v, 0, kNoRating, 20);
  log.Add(v, 1, kNoRating, 250);
  const int32_t w = log.InternUser("w");  // c@130 d@220: no train, so no validation; a test
  log.Add(w, 2, kNoRating, 130);
  log.Add(w, 3, kNoRating, 220);
  const int32_t x = log.InternUser("x");  // a@230: nothing before the test event
  log.Add(x, 0, kNoRating, 230);
  const int32_t y = log.InternUser("y");  // b@5 c@6: train only
  log.Add(y, 1, kNoRating, 5);
  log.Add(y, 2, kNoRating, 6);
  const int32_t z = log.InternUser("z");  // b@99 a@100 c@200: events exactly at the cutoffs
  log.Add(z, 1, kNoRating, 99);
  log.Add(z, 0, kNoRating, 100);
  log.Add(z, 2, kNoRating, 200);

  absl::StatusOr<LeaveOneOutSplit> split = SplitByTime(log, 100, 200);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->mode, SplitMode::kTime);
  EXPECT_THAT(split->Users(Holdout::kValidation), ::testing::ElementsAre(u, z));
  EXPECT_THAT(split->Users(Holdout::kTest), ::testing::ElementsAre(u, v, w, z));
  EXPECT_EQ(split->short_users, 2);  // x and y

  EXPECT_THAT(Items(split->train.Of(u)), ::testing::ElementsAre(0, 1));
  EXPECT_THAT(Items(split->train.Of(v)), ::testing::ElementsAre(0));
  EXPECT_THAT(Items(split->train.Of(w)), ::testing::IsEmpty());
  EXPECT_THAT(Items(split->train.Of(x)), ::testing::IsEmpty());
  EXPECT_THAT(Items(split->train.Of(y)), ::testing::ElementsAre(1, 2));
  EXPECT_THAT(Items(split->train.Of(z)), ::testing::ElementsAre(1));
  EXPECT_EQ(split->train.num_events(), 6);

  EXPECT_EQ(split->Target(u, Holdout::kValidation).item, 2);  // c@120, not d@150
  EXPECT_THAT(Items(split->History(u, Holdout::kValidation)), ::testing::ElementsAre(0, 1));
  EXPECT_EQ(split->Target(u, Holdout::kTest).item, 4);  // e@210, not f@300
  EXPECT_THAT(Items(split->History(u, Holdout::kTest)), ::testing::ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(split->Target(v, Holdout::kTest).item, 1);
  EXPECT_THAT(Items(split->History(v, Holdout::kTest)), ::testing::ElementsAre(0));
  EXPECT_EQ(split->Target(w, Holdout::kTest).item, 3);
  EXPECT_THAT(Items(split->History(w, Holdout::kTest)), ::testing::ElementsAre(2));
  EXPECT_EQ(split->Target(z, Holdout::kValidation).item, 0);  // at the cutoff: held out
  EXPECT_EQ(split->Target(z, Holdout::kTest).item, 2);
  EXPECT_THAT(Items(split->History(z, Holdout::kTest)), ::testing::ElementsAre(1, 0));
  EXPECT_THAT(Items(split->History(v, Holdout::kValidation)), ::testing::IsEmpty());
  EXPECT_EQ(split->Protocol(), "time split (100 / 200), full ranking, history masked");
}

TEST(TimeSplitTest, NoEventAtOrAfterTheCutoffIsTrainAndNoHistoryPassesItsTarget) {
  const InteractionLog log = RandomLog(11, 40, 400, 10, 100);
  absl::StatusOr<LeaveOneOutSplit> split = SplitByTimeQuantiles(log, 0.8, 0.9);
  ASSERT_TRUE(split.ok()) << split.status();
  const int64_t val_cutoff = split->validation_cutoff;
  const int64_t test_cutoff = split->test_cutoff;
  ASSERT_LT(val_cutoff, test_cutoff);
  int64_t before = 0;
  for (const Interaction& i : log.interactions()) before += i.unix_time < val_cutoff ? 1 : 0;
  EXPECT_EQ(split->train.num_events(), before);
  for (int32_t u = 0; u < log.num_users(); ++u) {
    for (const Event& e : split->train.Of(u)) EXPECT_LT(e.unix_time, val_cutoff);
  }
  for (const int32_t u : split->Users(Holdout::kValidation)) {
    const Event& target = split->Target(u, Holdout::kValidation);
    EXPECT_GE(target.unix_time, val_cutoff);
    EXPECT_LT(target.unix_time, test_cutoff);
    const std::span<const Event> history = split->History(u, Holdout::kValidation);
    EXPECT_FALSE(history.empty());
    EXPECT_EQ(history.size(), split->train.Of(u).size());  // exactly the train part
    for (const Event& e : history) EXPECT_LT(e.unix_time, val_cutoff);
  }
  for (const int32_t u : split->Users(Holdout::kTest)) {
    const Event& target = split->Target(u, Holdout::kTest);
    EXPECT_GE(target.unix_time, test_cutoff);
    const std::span<const Event> history = split->History(u, Holdout::kTest);
    EXPECT_FALSE(history.empty());
    for (const Event& e : history) EXPECT_LT(e.unix_time, test_cutoff);
    // Everything before the target: no earlier event of the user is left out.
    int64_t earlier = 0;
    for (const Event& e : split->sequences.Of(u)) earlier += e.unix_time < test_cutoff ? 1 : 0;
    EXPECT_EQ(static_cast<int64_t>(history.size()), earlier);
  }
  EXPECT_FALSE(split->Users(Holdout::kValidation).empty());
  EXPECT_FALSE(split->Users(Holdout::kTest).empty());
  EXPECT_EQ(split->Protocol(), "time split (q0.8 / q0.9), full ranking, history masked");
}

TEST(TimeSplitTest, QuantilesAreTimesOfTheSortedLog) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  const int32_t a = log.InternItem("a");
  for (int t = 10; t >= 1; --t) log.Add(u, a, kNoRating, t * 100);  // 1000 .. 100
  EXPECT_EQ(*TimeQuantile(log, 0.5), 600);                          // sorted index 5
  EXPECT_EQ(*TimeQuantile(log, 0.9), 1000);
  EXPECT_EQ(*TimeQuantile(log, 0.99), 1000);  // clamped to the last
  EXPECT_TRUE(absl::IsInvalidArgument(TimeQuantile(log, 1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(TimeQuantile(InteractionLog(), 0.5).status()));
}

TEST(TimeSplitTest, BadCutoffsAndFlagsAreErrors) {
  InteractionLog log;
  const int32_t u = log.InternUser("u");
  log.Add(u, log.InternItem("a"), kNoRating, 1);
  log.Add(u, log.InternItem("b"), kNoRating, 2);
  EXPECT_TRUE(absl::IsInvalidArgument(SplitByTime(log, 5, 5).status()));
  // Events at 1, 2, 3: split at 3 / 4 there is no test target.
  log.Add(u, log.InternItem("c"), kNoRating, 3);
  EXPECT_TRUE(absl::IsInvalidArgument(SplitByTime(log, 3, 3 + 1).status()));
  EXPECT_TRUE(SplitByTime(log, 2, 3).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(SplitByTimeQuantiles(log, 0.95, 0.9).status()));

  const absl::StatusOr<std::pair<double, double>> q = ParseTimeQuantiles("0.9,0.95");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_DOUBLE_EQ(q->first, 0.9);
  EXPECT_DOUBLE_EQ(q->second, 0.95);
  for (const char* bad : {"", "0.9", "0.95,0.9", "0,0.5", "0.5,1", "a,b", "0.1,0.2,0.3"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseTimeQuantiles(bad).status())) << bad;
  }
  EXPECT_TRUE(ValidateSplitFlags("leave-one-out", "junk").ok());
  EXPECT_TRUE(ValidateSplitFlags("time", "0.5,0.8").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateSplitFlags("time", "0.8,0.5")));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateSplitFlags("random", "0.5,0.8")));
  InteractionLog ten;
  const int32_t t = ten.InternUser("t");
  for (int time = 1; time <= 10; ++time)
    ten.Add(t, ten.InternItem(std::to_string(time)), kNoRating, time);
  const absl::StatusOr<LeaveOneOutSplit> by_flags = SplitFromFlags(ten, "time", "0.3,0.6");
  ASSERT_TRUE(by_flags.ok()) << by_flags.status();
  EXPECT_EQ(by_flags->validation_cutoff, 4);  // sorted index floor(0.3 * 10) = 3
  EXPECT_EQ(by_flags->test_cutoff, 7);
  EXPECT_EQ(by_flags->train.num_events(), 3);
  EXPECT_EQ(by_flags->Target(t, Holdout::kValidation).unix_time, 4);
  EXPECT_EQ(by_flags->Target(t, Holdout::kTest).unix_time, 7);
  EXPECT_EQ(by_flags->History(t, Holdout::kTest).size(), 6u);
  EXPECT_TRUE(absl::StrContains(DescribeSplit(*by_flags), "time split (q0.3 / q0.6)"));
}

}  // namespace
}  // namespace candor::reco
