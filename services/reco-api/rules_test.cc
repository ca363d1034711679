#include "services/reco-api/rules.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::reco_api {
namespace {

using ::testing::HasSubstr;

TEST(RulesTest, ParsesEveryKey) {
  absl::StatusOr<Rules> r = ParseRules(R"({
    "block": ["B000000001"], "boost": {"B000000002": 0.5},
    "pin": [{"asin": "B000000003", "position": 3}, {"asin": "B000000004", "position": 1}],
    "fraud_campaigns": ["B000000005"], "categories": {"B000000006": "strings"},
    "category_cap": 2})",
                                       "rules.json");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->blocked.contains("B000000001"));
  EXPECT_FLOAT_EQ(r->boost.at("B000000002"), 0.5F);
  ASSERT_EQ(r->pins.size(), 2U);
  EXPECT_EQ(r->pins[0].asin, "B000000004");  // sorted by position
  EXPECT_TRUE(r->fraud_campaigns.contains("B000000005"));
  EXPECT_EQ(r->category.at("B000000006"), "strings");
  EXPECT_EQ(r->category_cap, 2);
  EXPECT_TRUE(ParseRules("{}", "empty.json").ok());
}

TEST(RulesTest, RefusesWhatIsWrongNamingTheFileAndTheKey) {
  auto error = [](std::string_view text) {
    absl::StatusOr<Rules> r = ParseRules(text, "r.json");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << text;
    return std::string(r.status().message());
  };
  EXPECT_THAT(error("not json"), HasSubstr("r.json: not valid JSON"));
  EXPECT_THAT(error("[1]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error(R"({"blok": []})"), HasSubstr("unknown key 'blok'"));
  EXPECT_THAT(error(R"({"block": ["nope"]})"), HasSubstr("block: \"nope\" is not an asin"));
  EXPECT_THAT(error(R"({"boost": {"B000000002": "high"}})"), HasSubstr("boost.B000000002"));
  EXPECT_THAT(error(R"({"pin": [{"asin": "B000000003", "position": 0}]})"),
              HasSubstr("position 1..100"));
  EXPECT_THAT(error(R"({"pin": [{"asin": "B000000003", "position": 1},
                                {"asin": "B000000004", "position": 1}]})"),
              HasSubstr("two products pinned at position 1"));
  EXPECT_THAT(error(R"({"category_cap": -1})"), HasSubstr("category_cap"));
  EXPECT_EQ(LoadRules("/nonexistent/rules.json").status().code(), absl::StatusCode::kNotFound);
}

TEST(ExperimentTest, AssignmentIsStableAndFollowsTheWeights) {
  absl::StatusOr<Experiment> e = Experiment::Parse(R"({"experiment": "home-1", "variants": [
      {"name": "control", "weight": 25, "pipeline": "popularity"},
      {"name": "treatment", "weight": 75, "pipeline": "funnel"}]})",
                                                   "ab.json");
  ASSERT_TRUE(e.ok()) << e.status();
  int treatment = 0;
  const int users = 20000;
  for (int u = 0; u < users; ++u) {
    const std::string user = "user-" + std::to_string(u);
    const Variant& v = e->Assign(user);
    EXPECT_EQ(&v, &e->Assign(user));  // the same user, the same arm
    if (v.name == "treatment") {
      ++treatment;
      EXPECT_EQ(v.pipeline, Pipeline::kFunnel);
    } else {
      EXPECT_EQ(v.pipeline, Pipeline::kPopularity);
    }
  }
  EXPECT_NEAR(static_cast<double>(treatment) / users, 0.75, 0.015);
  // The hash is fixed by its definition: tools that join impressions rely on it.
  EXPECT_EQ(StableHash("user-1", "home-1"), StableHash("user-1", "home-1"));
  EXPECT_NE(StableHash("user-1", "home-1"), StableHash("user-1", "home-2"));
  EXPECT_NE(StableHash("ab", "c"), StableHash("a", "bc"));
  // The default: one arm, the funnel.
  Experiment none;
  EXPECT_EQ(none.name(), "none");
  EXPECT_EQ(none.Assign("anyone").name, "funnel");
}

TEST(ExperimentTest, RefusesBadFiles) {
  auto error = [](std::string_view text) {
    return std::string(Experiment::Parse(text, "ab.json").status().message());
  };
  EXPECT_THAT(error(R"({"variants": []})"), HasSubstr("experiment: needs a name"));
  EXPECT_THAT(error(R"({"experiment": "x", "variants": []})"), HasSubstr("1..16 variants"));
  EXPECT_THAT(error(R"({"experiment": "x", "variants": [{"name": "a", "weight": 0,
      "pipeline": "funnel"}]})"),
              HasSubstr("variants.a.weight"));
  EXPECT_THAT(error(R"({"experiment": "x", "variants": [{"name": "a", "weight": 1,
      "pipeline": "magic"}]})"),
              HasSubstr("must be popularity or funnel, got 'magic'"));
  EXPECT_THAT(error(R"({"experiment": "x", "variants": [{"name": "a", "weight": 1,
      "pipeline": "funnel"}, {"name": "a", "weight": 1, "pipeline": "funnel"}]})"),
              HasSubstr("'a' twice"));
}

}  // namespace
}  // namespace candor::reco_api
