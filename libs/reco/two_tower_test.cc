#include "libs/reco/two_tower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "libs/reco/item_content.h"

namespace candor::reco {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;

// Three items in 2-D: x0 = (1, 0), x1 = (0, 1), x2 = (3, 4); a user tower that reads two items
// and whose MLP is zero, so u = normalise(pool).
TwoTowerWeights Small() {
  TwoTowerWeights w;
  w.dim = 2;
  w.hidden = 1;
  w.history = 2;
  w.items = 3;
  w.item_ids = {"a", "b", "c"};
  w.item_input = {1, 0, 0, 1, 3, 4};
  w.item_vectors = {1, 0, 0, 1, 0.6F, 0.8F};
  w.attention_query = {0, 0};
  w.position_bias = {0, 0};
  w.user_w1 = {0, 0};
  w.user_b1 = {0};
  w.user_w2 = {0, 0};
  w.user_b2 = {0, 0};
  return w;
}

std::vector<float> User(const TwoTowerWeights& w, std::vector<int32_t> history) {
  std::vector<float> out(static_cast<std::size_t>(w.dim));
  std::vector<float> scratch;
  UserVector(w, history, out, scratch);
  return out;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "." + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "." +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()))
      .string();
}

TEST(UserVectorTest, MeanPoolsTheNewestItemsAndNormalises) {
  const TwoTowerWeights w = Small();
  const float h = std::sqrt(0.5F);
  EXPECT_THAT(User(w, {0, 1}), ElementsAre(FloatNear(h, 1e-6), FloatNear(h, 1e-6)));
  // Only the newest two are read: item 2 falls out of the window.
  EXPECT_THAT(User(w, {2, 0, 1}), ElementsAre(FloatNear(h, 1e-6), FloatNear(h, 1e-6)));
  EXPECT_THAT(User(w, {2}), ElementsAre(FloatNear(0.6, 1e-6), FloatNear(0.8, 1e-6)));
  // No history: the zero vector stays zero (no division by zero).
  EXPECT_THAT(User(w, {}), ElementsAre(0.0F, 0.0F));
}

TEST(UserVectorTest, PositionBiasWeighsTheNewestItem) {
  TwoTowerWeights w = Small();
  w.position_bias = {std::log(3.0F), 0};  // the newest item weighs 3 to 1
  // History {0, 1}: item 1 is the newest, pool = (0.25, 0.75).
  const float n = std::sqrt(0.25F * 0.25F + 0.75F * 0.75F);
  EXPECT_THAT(User(w, {0, 1}), ElementsAre(FloatNear(0.25F / n, 1e-6), FloatNear(0.75F / n, 1e-6)));
}

TEST(UserVectorTest, AttentionQueryAndMlp) {
  TwoTowerWeights w = Small();
  // attention logit = dot(q, x) / sqrt(2): q = (sqrt(2) ln 3, 0) makes item 0 weigh 3 to item 1.
  w.attention_query = {std::sqrt(2.0F) * std::log(3.0F), 0};
  // MLP: hid = relu(pool_0), out = pool + (0, hid).
  w.user_w1 = {1, 0};
  w.user_w2 = {0, 1};
  // pool = (0.75, 0.25); out = (0.75, 1.0).
  const float n = std::sqrt(0.75F * 0.75F + 1.0F);
  EXPECT_THAT(User(w, {0, 1}), ElementsAre(FloatNear(0.75F / n, 1e-6), FloatNear(1.0F / n, 1e-6)));
}

TEST(TwoTowerModelTest, ScoresTheDotProductWithEveryItem) {
  TwoTowerModel model(Small());
  const std::vector<Event> history{{1, 10}};  // u = x1 = (0, 1)
  std::vector<float> scores(3);
  model.Score(Query{0, history, 20}, scores);
  EXPECT_THAT(scores, ElementsAre(FloatNear(0, 1e-6), FloatNear(1, 1e-6), FloatNear(0.8, 1e-6)));
}

TEST(TwoTowerModelTest, BindsOtherDataByItemId) {
  TwoTowerModel model(Small());
  // The data's item 0 is the model's "c", item 1 is unknown, item 2 is "b".
  const std::vector<std::string> ids{"c", "zzz", "b"};
  EXPECT_EQ(model.Bind(ids), 2);
  EXPECT_TRUE(model.Fit(Sequences(3, {0, 0}, {})).ok());
  EXPECT_FALSE(model.Fit(Sequences(4, {0, 0}, {})).ok());  // more items than the binding
  // History: the data's item 2 (= "b", u = (0, 1)) and the unknown item 1 (skipped).
  const std::vector<Event> history{{2, 1}, {1, 2}};
  std::vector<float> scores(3);
  model.Score(Query{0, history, 3}, scores);
  EXPECT_NEAR(scores[0], 0.8, 1e-6);
  EXPECT_EQ(scores[1], -std::numeric_limits<float>::infinity());
  EXPECT_NEAR(scores[2], 1, 1e-6);

  const std::vector<std::string> none{"x", "y"};
  EXPECT_EQ(model.Bind(none), 0);
  EXPECT_THAT(std::string(model.Fit(Sequences(2, {0, 0}, {})).message()), HasSubstr("knows none"));
}

TEST(TwoTowerModelTest, FitRejectsMoreItemsThanTheModelUnbound) {
  TwoTowerModel model(Small());
  EXPECT_TRUE(model.Fit(Sequences(3, {0, 0}, {})).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(model.Fit(Sequences(5, {0, 0}, {}))));
}

TEST(TwoTowerFileTest, RoundTripsWeightsAndMetadata) {
  const std::string path = TempPath("two_tower");
  TwoTowerWeights w = Small();
  w.position_bias = {0.125F, -1.5F};
  ASSERT_TRUE(WriteTwoTower(path, w, {{"seed", 7}, {"data", {{"checksum", "x"}}}}).ok());
  absl::StatusOr<LoadedTwoTower> read = ReadTwoTower(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->weights.item_ids, w.item_ids);
  EXPECT_EQ(read->weights.item_input, w.item_input);
  EXPECT_EQ(read->weights.item_vectors, w.item_vectors);
  EXPECT_EQ(read->weights.position_bias, w.position_bias);
  EXPECT_EQ(read->weights.user_w2, w.user_w2);
  EXPECT_EQ(read->metadata["seed"], 7);
  EXPECT_EQ(read->metadata["data"]["checksum"], "x");
  EXPECT_EQ(read->metadata["dim"], 2);
  std::filesystem::remove(path);
}

TEST(TwoTowerFileTest, BadFilesAreClearErrors) {
  EXPECT_TRUE(absl::IsNotFound(ReadTwoTower("/nonexistent/model.bin").status()));
  const std::string path = TempPath("two_tower_bad");
  auto write = [&](const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << bytes;
  };
  auto error = [&]() { return std::string(ReadTwoTower(path).status().message()); };
  write("something else\n{}\n");
  EXPECT_THAT(error(), HasSubstr("not a two-tower model file"));
  write("candor-two-tower 1\n[1, 2]\n");
  EXPECT_THAT(error(), HasSubstr("not a JSON object"));
  write("candor-two-tower 1\n{\"dim\": 2, \"hidden\": 1, \"history\": 2}\n");
  EXPECT_THAT(error(), HasSubstr("'items'"));

  ASSERT_TRUE(WriteTwoTower(path, Small(), {}).ok());
  std::string good;
  {
    std::ifstream f(path, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(f), {});
  }
  write(good.substr(0, good.size() - 4));
  EXPECT_THAT(error(), HasSubstr("truncated"));
  write(good + "x");
  EXPECT_THAT(error(), HasSubstr("data after the weights"));
  std::string nan = good;
  const float inf = std::numeric_limits<float>::infinity();
  std::memcpy(nan.data() + nan.size() - sizeof(float), &inf, sizeof(float));
  write(nan);
  EXPECT_THAT(error(), HasSubstr("not finite"));

  TwoTowerWeights bad = Small();
  bad.user_b1.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(WriteTwoTower(path, bad, {})));
  std::filesystem::remove(path);
}

TEST(ContentTokensTest, HashesLowerCasedAlphanumericRunsOnce) {
  const std::vector<int32_t> a = ContentTokens("Red Lipstick, red!", 1 << 20);
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a, ContentTokens("red  LIPSTICK", 1 << 20));
  EXPECT_TRUE(ContentTokens(" ,;! ", 8).empty());
  for (const int32_t t : ContentTokens("a b c d e f g h i j", 4)) {
    EXPECT_GE(t, 0);
    EXPECT_LT(t, 4);
  }
}

TEST(ContentTokensTest, LoadsItemTextForTheLogsItems) {
  InteractionLog log;
  log.Add(log.InternUser("u"), log.InternItem("i1"), kNoRating, 1);
  log.Add(log.InternUser("u"), log.InternItem("i2"), kNoRating, 2);
  const std::string path = TempPath("item_content");
  {
    std::ofstream f(path);
    f << "item\ttext\ni1\tRed lipstick\nother\tnot in the data\n\ni1\tMakeup\n";
  }
  LoadReport report;
  int64_t unknown = 0;
  absl::StatusOr<std::vector<std::vector<int32_t>>> tokens =
      LoadItemContent(path, log, 1000, {}, &report, &unknown);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 2U);
  EXPECT_EQ((*tokens)[0].size(), 3U);  // red, lipstick, makeup
  EXPECT_TRUE((*tokens)[1].empty());
  EXPECT_EQ(unknown, 1);

  {
    std::ofstream f(path);
    f << "i1\tok\ni2 no tab\n";
  }
  const absl::Status bad = LoadItemContent(path, log, 1000, {}, &report, &unknown).status();
  EXPECT_THAT(std::string(bad.message()), HasSubstr(path + ":2: expected `item<TAB>text`"));
  EXPECT_TRUE(LoadItemContent(path, log, 1000, {.lenient = true}, &report, &unknown).ok());
  EXPECT_EQ(report.skipped, 1);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace candor::reco
