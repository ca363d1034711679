// The ranking's scripts on the real Redis of the test stack (ctest fixture `stack`).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/testing/stack_env.h"

namespace candor::rankcache {
namespace {

class RankCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = redis::Client::Connect(candor::testing::RedisAddr(), 1, absl::Seconds(2));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  int64_t Update(int bound, const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<std::string> args = {absl::StrCat(bound)};
    for (const auto& [id, key] : pairs) {
      args.push_back(id);
      args.push_back(key);
    }
    auto r = client_->EvalPipeline(UpdateScript(), {{{SetKey(asin_), FloorKey(asin_)}, args}});
    EXPECT_TRUE(r.ok() && r->front().ok());
    return r.ok() && r->front().ok() ? r->front()->integer : -2;
  }

  // The ids ReadScript returns for a page of `n` after `after` (key, id); nullopt: unknown.
  std::optional<std::vector<std::string>> Read(
      int n, std::optional<std::pair<double, std::string>> after = std::nullopt) {
    std::vector<std::string> args = {absl::StrCat(n)};
    if (after) {
      args.push_back(KeyText(after->first));
      args.push_back(after->second);
    }
    auto reply = client_->EvalPipeline(ReadScript(), {{{SetKey(asin_), FloorKey(asin_)}, args}});
    EXPECT_TRUE(reply.ok() && reply->front().ok());
    auto parsed = ParseRead(*reply->front(), &complete_);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (!parsed->has_value()) return std::nullopt;
    std::vector<std::string> ids;
    for (const Entry& e : **parsed) ids.push_back(e.review_id);
    return ids;
  }

  std::string asin_ = candor::testing::UniqueAsin();
  std::unique_ptr<redis::Client> client_;
  bool complete_ = false;  // what the last Read said: the set holds every ranked review
};

TEST_F(RankCacheTest, AnUnknownProductIsLeftToARebuild) {
  EXPECT_EQ(Update(3, {{"a", "1"}}), -1);
  EXPECT_FALSE(Read(10).has_value());
  auto r = client_->EvalPipeline(RebuildScript(),
                                 {{{SetKey(asin_), FloorKey(asin_)}, {"-", "a", "1", "b", "2"}}});
  ASSERT_TRUE(r.ok() && r->front().ok());
  EXPECT_EQ(*Read(10), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(complete_);  // rebuilt with floor "-": nothing below
}

TEST_F(RankCacheTest, TheSetStaysTheReviewsAboveItsFloor) {
  ASSERT_TRUE(
      client_->EvalPipeline(RebuildScript(), {{{SetKey(asin_), FloorKey(asin_)}, {"-"}}}).ok());
  EXPECT_EQ(Update(3, {{"a", "5"}, {"b", "4"}, {"c", "3"}, {"d", "2"}}), 4);
  EXPECT_EQ(*Read(10), (std::vector<std::string>{"a", "b", "c"}));  // d trimmed: floor (2, d)
  EXPECT_FALSE(complete_);
  auto floor = client_->Command({"GET", FloorKey(asin_)});
  ASSERT_TRUE(floor.ok()) << floor.status();
  EXPECT_EQ(floor->str, FloorText(2, "d"));
  EXPECT_EQ(*ParseFloor(floor->str), std::make_pair(2.0, std::string("d")));
  EXPECT_FALSE(ParseFloor("-")->has_value());
  EXPECT_EQ(ParseFloor("2.5").status().code(), absl::StatusCode::kInternal);
  // A review below the floor stays out even when the set has room; one above it comes in.
  EXPECT_EQ(Update(3, {{"a", ""}, {"e", "1"}}), 2);
  EXPECT_EQ(*Read(10), (std::vector<std::string>{"b", "c"}));
  Update(3, {{"f", "3.5"}});
  EXPECT_EQ(*Read(10), (std::vector<std::string>{"b", "f", "c"}));
  // A member that falls below the floor leaves.
  Update(3, {{"b", "0.5"}});
  EXPECT_EQ(*Read(10), (std::vector<std::string>{"f", "c"}));
}

TEST_F(RankCacheTest, PagesContinueAfterAPositionWithTies) {
  ASSERT_TRUE(
      client_
          ->EvalPipeline(RebuildScript(), {{{SetKey(asin_), FloorKey(asin_)},
                                            {"-", "a", "2", "b", "2", "c", "2", "d", "1.25"}}})
          .ok());
  EXPECT_EQ(*Read(2), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(*Read(2, std::make_pair(2.0, std::string("b"))), (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(*Read(2, std::make_pair(1.25, std::string("d"))), std::vector<std::string>{});
}

}  // namespace
}  // namespace candor::rankcache
