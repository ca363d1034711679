#include "tools/candor-fraud-train/spinner.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/fraud/text_signature.h"

namespace candor::fraud_train {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

double Similarity(const std::string& a, const std::string& b) {
  return fraud::EstimatedSimilarity(fraud::MinHashSignature(a), fraud::MinHashSignature(b));
}

// 40 texts each of a light and a heavy spin: how many distinct texts the light one wrote, and
// each one's mean similarity to its base text.
struct SpinSample {
  std::size_t light_distinct = 0;
  double light_similarity = 0;
  double heavy_similarity = 0;
};

SpinSample Sample(const Writer& light, const std::string& light_base, const Writer& heavy,
                  const std::string& heavy_base, std::mt19937_64& rng) {
  constexpr int kTexts = 40;
  std::set<std::string> distinct;
  SpinSample out;
  for (int i = 0; i < kTexts; ++i) {
    const std::string t = light.Body(rng);
    distinct.insert(t);
    out.light_similarity += Similarity(light_base, t) / kTexts;
    out.heavy_similarity += Similarity(heavy_base, heavy.Body(rng)) / kTexts;
  }
  out.light_distinct = distinct.size();
  return out;
}

TEST(ScriptTest, ParsesSlotsAndOptionalSentences) {
  const Script s({"{A|B} is {good|fine}.", "?Fixed text."}, {"T1", "T2"});
  ASSERT_EQ(s.sentences().size(), 2u);
  EXPECT_FALSE(s.sentences()[0].optional);
  EXPECT_TRUE(s.sentences()[1].optional);
  ASSERT_EQ(s.sentences()[0].parts.size(), 4u);
  EXPECT_THAT(s.sentences()[0].parts[0].choices, ElementsAre("A", "B"));
  EXPECT_THAT(s.sentences()[0].parts[1].choices, ElementsAre(" is "));
  EXPECT_THAT(s.sentences()[0].parts[2].choices, ElementsAre("good", "fine"));
  EXPECT_THAT(s.sentences()[1].parts[0].choices, ElementsAre("Fixed text."));
}

TEST(SpinnerTest, NoSpinRepeatsTheBaseText) {
  std::mt19937_64 rng(3);
  const Spinner s(PositiveScripts()[0], 0, rng);
  const std::string first = s.Body(rng);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.Body(rng), first);
}

// A farm's texts are near-duplicates of each other, yet not identical (the gateway's exact
// fingerprint misses them); more spin, less alike.
TEST(SpinnerTest, SpunTextsAreVariedNearDuplicates) {
  for (const Script& script : PositiveScripts()) {
    std::mt19937_64 rng(5);
    const Spinner light(script, 0.1, rng);
    const Spinner heavy(script, 0.9, rng);
    const std::string base_light = light.Body(rng);
    const std::string base_heavy = heavy.Body(rng);
    const SpinSample sample = Sample(light, base_light, heavy, base_heavy, rng);
    EXPECT_GT(sample.light_distinct, 5u);
    EXPECT_GT(sample.light_similarity, 0.25);
    EXPECT_LT(sample.heavy_similarity, sample.light_similarity);
  }
}

TEST(TextSpinnerTest, SpinsARealReview) {
  const std::string body =
      "I bought this for my studio last month. It works great and the price was good! The "
      "build quality is better than I expected for a cheap product. Setup was easy and the "
      "sound is really clean. I would recommend it to anyone who needs a simple solution.";
  const TextSpinner none("Great buy", body, 0);
  std::mt19937_64 rng(9);
  EXPECT_EQ(none.Body(rng), body);
  EXPECT_EQ(none.Title(rng), "Great buy");
  const TextSpinner light("Great buy", body, 0.1);
  const TextSpinner heavy("Great buy", body, 0.6);
  const SpinSample sample = Sample(light, body, heavy, body, rng);
  EXPECT_GT(sample.light_distinct, 20u);
  EXPECT_GT(sample.light_similarity, 0.5);
  EXPECT_LT(sample.heavy_similarity, sample.light_similarity);
}

TEST(TextSpinnerTest, SynonymsKeepCapitalsAndPunctuation) {
  std::mt19937_64 rng(1);
  const std::string out = SwapSynonyms("Great, really GREAT product!", 1, rng);
  // "Great" and "really" and "product" are known; "GREAT" is matched case-insensitively.
  EXPECT_EQ(out.find("Great,"), std::string::npos) << out;
  EXPECT_TRUE(out[0] >= 'A' && out[0] <= 'Z') << out;
  EXPECT_EQ(out.back(), '!');
  EXPECT_EQ(SwapSynonyms("Nothing to swap here", 1, rng), "Nothing to swap here");
}

TEST(TextSpinnerTest, SplitsSentences) {
  EXPECT_THAT(SplitSentences("One. Two! Three? Four"),
              ElementsAre("One.", "Two!", "Three?", "Four"));
  EXPECT_THAT(SplitSentences("Version 2.0 works."), ElementsAre("Version 2.0 works."));
  EXPECT_TRUE(SplitSentences("").empty());
}

TEST(SpinnerTest, DisclosureSaysSo) {
  std::mt19937_64 rng(2);
  EXPECT_THAT(DisclosureSentence(rng), HasSubstr("in exchange for my"));
}

}  // namespace
}  // namespace candor::fraud_train
