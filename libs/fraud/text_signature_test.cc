#include "libs/fraud/text_signature.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/fraud/window_rules.h"

namespace candor::fraud {
namespace {

constexpr uint32_t kGolden0 = 544156083;
constexpr uint32_t kGolden1 = 590265661;
constexpr uint32_t kGolden63 = 361580728;
constexpr uint64_t kGoldenBand0 = 14921640237771167219ULL;
constexpr uint64_t kGoldenBand15 = 16122133174677511370ULL;

// A 60-word review, and the same with two words changed and two neighbours swapped: what a farm's
// "spinner" makes of one text.
constexpr char kReview[] =
    "I bought this tuner for my acoustic guitar last month and it has been great. The display "
    "is bright enough to read on a dark stage, the clip holds firmly without scratching "
    "the headstock, and it picks up the low E string quickly. Battery life seems fine. For the "
    "price I would happily buy it again for my bass too.";

std::string Spun() {
  std::vector<std::string> w = absl::StrSplit(kReview, ' ');
  w[6] = "electric";        // was "acoustic"
  w[29] = "securely";       // was "firmly"
  std::swap(w[36], w[37]);  // "picks up" -> "up picks"
  return absl::StrJoin(w, " ");
}

TEST(MinHashTest, IdenticalTextsAgreeEverywhere) {
  EXPECT_EQ(EstimatedSimilarity(MinHashSignature(kReview), MinHashSignature(kReview)), 1.0);
}

TEST(MinHashTest, CaseSpacingAndPunctuationAreIgnored) {
  EXPECT_EQ(MinHashSignature("Great tuner, works WELL!!"),
            MinHashSignature("great   tuner works well"));
}

TEST(MinHashTest, UnrelatedTextsAreNearZero) {
  const std::string other =
      "These strings sounded dull within a week and one snapped while tuning up to pitch. The "
      "packaging was torn when it arrived, and customer service never answered my two emails "
      "about a replacement set. I have used this brand for years but the quality has clearly "
      "dropped. Save your money and buy something else next time, honestly.";
  EXPECT_LT(EstimatedSimilarity(MinHashSignature(kReview), MinHashSignature(other)), 0.1);
}

TEST(MinHashTest, ALightlySpunTextIsStillSimilarAndShareABand) {
  std::vector<std::string> words = absl::StrSplit(kReview, ' ');
  ASSERT_EQ(words.size(), 60u);
  const TextSignature a = MinHashSignature(kReview);
  const TextSignature b = MinHashSignature(Spun());
  // Ten of the 58 shingles changed: Jaccard 48/68, about 0.7.
  EXPECT_GT(EstimatedSimilarity(a, b), 0.55);
  int shared = 0;
  for (int band = 0; band < kLshBands; ++band) shared += BandKey(a, band) == BandKey(b, band);
  EXPECT_GT(shared, 0) << "LSH would never make them candidates";
}

TEST(MinHashTest, ShortTextsAreOneShingle) {
  EXPECT_EQ(MinHashSignature("Great!"), MinHashSignature("great"));
  EXPECT_NE(MinHashSignature("great"), MinHashSignature("great product"));
  EXPECT_NE(MinHashSignature("great product"), MinHashSignature("product great"));
  EXPECT_FALSE(IsEmptySignature(MinHashSignature("ok")));
}

TEST(MinHashTest, TextWithoutWordsIsAllMax) {
  for (const char* text : {"", "   ", "!!! ...", "\n\t"}) {
    const TextSignature s = MinHashSignature(text);
    EXPECT_TRUE(IsEmptySignature(s)) << text;
    for (uint32_t v : s) EXPECT_EQ(v, std::numeric_limits<uint32_t>::max());
  }
}

TEST(MinHashTest, IsDeterministicAcrossBuilds) {
  // Signatures are stored in Redis and compared across processes and releases: these values
  // must never change (a change makes every stored signature useless for 30 days).
  const TextSignature s = MinHashSignature("the quick brown fox jumps over the lazy dog");
  EXPECT_EQ(s[0], kGolden0);
  EXPECT_EQ(s[1], kGolden1);
  EXPECT_EQ(s[63], kGolden63);
  EXPECT_EQ(BandKey(s, 0), kGoldenBand0);
  EXPECT_EQ(BandKey(s, 15), kGoldenBand15);
}

TEST(BandKeyTest, DependsOnTheBandAndItsValuesOnly) {
  TextSignature a{};
  TextSignature b{};
  for (int i = 0; i < kMinHashSize; ++i) {
    a[static_cast<std::size_t>(i)] = static_cast<uint32_t>(i % kLshRows);
    b[static_cast<std::size_t>(i)] = static_cast<uint32_t>(i % kLshRows);
  }
  b[kLshRows] ^= 1;  // band 1 differs
  std::set<uint64_t> keys;
  for (int band = 0; band < kLshBands; ++band) keys.insert(BandKey(a, band));
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kLshBands)) << "equal values, equal keys";
  EXPECT_EQ(BandKey(a, 0), BandKey(b, 0));
  EXPECT_NE(BandKey(a, 1), BandKey(b, 1));
  EXPECT_EQ(BandKey(a, 2), BandKey(b, 2));
}

}  // namespace
}  // namespace candor::fraud
