#include "libs/reco/two_tower_trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "libs/reco/evaluation.h"
#include "libs/reco/item_content.h"
#include "libs/reco/popularity.h"
#include "libs/reco/split.h"
#include "libs/reco/two_tower.h"

namespace candor::reco {
namespace {

constexpr int kItems = 100;

// 400 users; each reviews 8 consecutive items i, i+1, ... (mod kItems) from a random start, one a
// day: the next item is always the one after the newest, which popularity cannot know.
InteractionLog Chains() {
  InteractionLog log;
  std::mt19937 rng(5);
  for (int32_t i = 0; i < kItems; ++i) log.InternItem("i" + std::to_string(i));
  for (int u = 0; u < 400; ++u) {
    const int32_t user = log.InternUser("u" + std::to_string(u));
    const int start = static_cast<int>(rng() % kItems);
    for (int k = 0; k < 8; ++k) {
      log.Add(user, (start + k) % kItems, kNoRating, 86400LL * (u + k));
    }
  }
  return log;
}

std::vector<std::string> ItemIds(const InteractionLog& log) {
  std::vector<std::string> ids;
  for (int32_t i = 0; i < log.num_items(); ++i) ids.push_back(log.ItemId(i));
  return ids;
}

TwoTowerOptions Small() {
  return TwoTowerOptions{.dim = 16,
                         .hidden = 32,
                         .history = 5,
                         .temperature = 0.1,
                         .batch = 64,
                         .learning_rate = 0.01,
                         .seed = 3};
}

// Random histories with every length from 0 (empty) to twice the tower's window.
std::vector<std::vector<int32_t>> Histories(int history) {
  std::mt19937 rng(11);
  std::vector<std::vector<int32_t>> out;
  for (int n = 0; n <= 2 * history; ++n) {
    std::vector<int32_t> h;
    for (int k = 0; k < n; ++k) h.push_back(static_cast<int32_t>(rng() % kItems));
    out.push_back(h);
  }
  return out;
}

void ExpectPlainEqualsTorch(const TwoTowerTrainer& trainer) {
  const TwoTowerWeights w = trainer.Export();
  const std::vector<std::vector<int32_t>> histories = Histories(w.history);
  const std::vector<float> torch_u = trainer.TorchUserVectors(histories);
  ASSERT_EQ(torch_u.size(), histories.size() * static_cast<std::size_t>(w.dim));
  std::vector<float> plain(static_cast<std::size_t>(w.dim));
  std::vector<float> scratch;
  for (std::size_t h = 0; h < histories.size(); ++h) {
    UserVector(w, histories[h], plain, scratch);
    for (int k = 0; k < w.dim; ++k) {
      ASSERT_NEAR(plain[static_cast<std::size_t>(k)],
                  torch_u[h * static_cast<std::size_t>(w.dim) + static_cast<std::size_t>(k)], 1e-4)
          << "history " << h << " (length " << histories[h].size() << "), dimension " << k;
    }
  }
}

// Every test trains on the chains, split leave-one-out.
class TwoTowerTrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log_);
    ASSERT_TRUE(split.ok()) << split.status();
    split_ = *std::move(split);
  }

  // A trainer of `options` on the split's train part; null, with a failure, when Create refuses.
  std::unique_ptr<TwoTowerTrainer> Trainer(const TwoTowerOptions& options,
                                           std::vector<std::vector<int32_t>> tokens = {}) const {
    absl::StatusOr<std::unique_ptr<TwoTowerTrainer>> t =
        TwoTowerTrainer::Create(options, split_.train, ItemIds(log_), std::move(tokens));
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *std::move(t) : nullptr;
  }

  const InteractionLog log_ = Chains();
  LeaveOneOutSplit split_;
};

TEST_F(TwoTowerTrainerTest, LearnsTheNextItemFarAbovePopularity) {
  std::unique_ptr<TwoTowerTrainer> trainer = Trainer(Small());
  ASSERT_NE(trainer, nullptr);
  EXPECT_EQ(trainer->examples(), 400 * 5);  // 6 train items each: positions 1..5
  double first_loss = 0;
  double last_loss = 0;
  for (int e = 0; e < 15; ++e) {
    const EpochStats s = trainer->RunEpoch();
    EXPECT_EQ(s.epoch, e + 1);
    EXPECT_EQ(s.examples, 2000);
    if (e == 0) first_loss = s.loss;
    last_loss = s.loss;
  }
  EXPECT_LT(last_loss, first_loss);

  TwoTowerModel model(trainer->Export());
  ASSERT_TRUE(model.Fit(split_.train).ok());
  Popularity popularity;
  ASSERT_TRUE(popularity.Fit(split_.train).ok());
  const EvalOptions options;
  const EvalResult tower = Evaluate(model, split_, Holdout::kTest, options);
  const EvalResult pop = Evaluate(popularity, split_, Holdout::kTest, options);
  EXPECT_GT(tower.hit[0], 0.9) << "HR@10";
  EXPECT_LT(pop.hit[0], 0.3) << "HR@10";
  EXPECT_GT(tower.ndcg[0], 3 * pop.ndcg[0]);
}

TEST_F(TwoTowerTrainerTest, PlainInferenceEqualsTheTorchForwardPass) {
  std::unique_ptr<TwoTowerTrainer> trainer = Trainer(Small());
  ASSERT_NE(trainer, nullptr);
  ExpectPlainEqualsTorch(*trainer);  // at initialisation (mean pooling)
  for (int e = 0; e < 3; ++e) trainer->RunEpoch();
  ExpectPlainEqualsTorch(*trainer);  // trained attention and position weights
}

TEST_F(TwoTowerTrainerTest, ContentTokensFeedTheItemTower) {
  // Items of one decade share a token ("decade3"), and each has its own.
  std::vector<std::vector<int32_t>> tokens;
  for (int i = 0; i < kItems; ++i) {
    tokens.push_back(
        ContentTokens("decade" + std::to_string(i / 10) + " item" + std::to_string(i), 256));
  }
  TwoTowerOptions options = Small();
  options.content_buckets = 256;
  std::unique_ptr<TwoTowerTrainer> trainer = Trainer(options, tokens);
  ASSERT_NE(trainer, nullptr);
  trainer->RunEpoch();
  ExpectPlainEqualsTorch(*trainer);

  tokens[0] = {256};  // out of range
  EXPECT_TRUE(absl::IsInvalidArgument(
      TwoTowerTrainer::Create(options, split_.train, ItemIds(log_), tokens).status()));
}

TEST_F(TwoTowerTrainerTest, TheSameSeedTrainsTheSameModel) {
  std::unique_ptr<TwoTowerTrainer> a = Trainer(Small());
  std::unique_ptr<TwoTowerTrainer> b = Trainer(Small());
  TwoTowerOptions other = Small();
  other.seed = 4;
  std::unique_ptr<TwoTowerTrainer> c = Trainer(other);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->RunEpoch().loss, b->RunEpoch().loss);
  c->RunEpoch();
  EXPECT_EQ(a->Export().item_vectors, b->Export().item_vectors);
  EXPECT_EQ(a->Export().user_w2, b->Export().user_w2);
  EXPECT_NE(a->Export().item_vectors, c->Export().item_vectors);
}

TEST_F(TwoTowerTrainerTest, RejectsBadInput) {
  TwoTowerOptions bad = Small();
  bad.temperature = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(
      TwoTowerTrainer::Create(bad, split_.train, ItemIds(log_), {}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      TwoTowerTrainer::Create(Small(), split_.train, {"only one id"}, {}).status()));
  // One event per user: nothing to predict from.
  const Sequences single(2, {0, 1, 2}, {{0, 1}, {1, 2}});
  EXPECT_THAT(
      std::string(TwoTowerTrainer::Create(Small(), single, {"a", "b"}, {}).status().message()),
      ::testing::HasSubstr("no training example"));
}

}  // namespace
}  // namespace candor::reco
