#include "tools/candor-drive/spinner.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "gtest/gtest.h"
#include "libs/fraud/text_signature.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace candor::drive {
namespace {

// Exact Jaccard similarity of two texts' word 3-shingles, the words as fraud scoring's MinHash
// reads them (fraud::WordHashes), so this is the figure its signature estimates.
double ShingleJaccard(const std::string& a, const std::string& b) {
  auto shingles = [](const std::string& text) {
    const std::vector<uint64_t> w = fraud::WordHashes(text);
    std::set<std::tuple<uint64_t, uint64_t, uint64_t>> out;
    for (size_t i = 0; i + 2 < w.size(); ++i) out.emplace(w[i], w[i + 1], w[i + 2]);
    return out;
  };
  const auto sa = shingles(a);
  const auto sb = shingles(b);
  size_t common = 0;
  for (const auto& s : sa) common += sb.count(s);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

TEST(SpintaxTest, ExpandsEachGroupWithThePickedAlternative) {
  auto first = [](size_t) { return size_t{0}; };
  auto last = [](size_t n) { return n - 1; };
  EXPECT_EQ(*ExpandSpintax("{A|B|C} tuner{| ever}.", first), "A tuner.");
  EXPECT_EQ(*ExpandSpintax("{A|B|C} tuner{| ever}.", last), "C tuner ever.");
  EXPECT_EQ(*ExpandSpintax("no choices", first), "no choices");
}

TEST(SpintaxTest, RefusesUnbalancedAndNestedBraces) {
  auto first = [](size_t) { return size_t{0}; };
  EXPECT_FALSE(ExpandSpintax("{a|b", first).ok());
  EXPECT_FALSE(ExpandSpintax("a|b}", first).ok());
  EXPECT_FALSE(ExpandSpintax("{a|{b|c}}", first).ok());
  EXPECT_FALSE(TextSpinner::Create({.sentences = {"{x"}}, 1).ok());
  EXPECT_FALSE(TextSpinner::Create({}, 1).ok());  // no sentence
}

TEST(TextSpinnerTest, DeterministicPerSeedAndCopy) {
  const TextSpinner a = *TextSpinner::Create(FarmTemplate(), 7);
  const TextSpinner b = *TextSpinner::Create(FarmTemplate(), 7);
  const TextSpinner c = *TextSpinner::Create(FarmTemplate(), 8);
  EXPECT_EQ(a.Make(3).body, b.Make(3).body);
  EXPECT_EQ(a.Make(3).title, b.Make(3).title);
  int differ = 0;
  for (int n = 0; n < 20; ++n) differ += a.Make(n).body != c.Make(n).body;
  EXPECT_GT(differ, 10);
}

// The farm's texts: 300 near-duplicates. Distinct even after the gateway's normalisation (so
// its exact-duplicate rule cannot catch them), yet sharing most of their word 3-shingles.
TEST(TextSpinnerTest, FarmCopiesAreDistinctNearDuplicates) {
  const TextSpinner spinner = *TextSpinner::Create(FarmTemplate(), 42);
  const std::vector<TextSpinner::Copy> copies = *spinner.Distinct(300);
  ASSERT_EQ(copies.size(), 300u);
  std::unordered_set<std::string> normalised;
  for (const TextSpinner::Copy& c : copies) {
    EXPECT_TRUE(normalised.insert(review::NormalizeText(c.body)).second) << c.body;
    review::SubmissionInput in;
    in.asin = "B0SC000001";
    in.rating = 5;
    in.title = c.title;
    in.body = c.body;
    EXPECT_TRUE(review::ValidateSubmission(in).ok()) << c.body;
  }

  // Every pair among the first 100: exact shingle Jaccard and the scorer's MinHash estimate.
  std::vector<double> exact, estimated;
  for (size_t i = 0; i < 100; ++i) {
    const fraud::TextSignature si = fraud::MinHashSignature(copies[i].body);
    for (size_t j = i + 1; j < 100; ++j) {
      exact.push_back(ShingleJaccard(copies[i].body, copies[j].body));
      estimated.push_back(fraud::EstimatedSimilarity(si, fraud::MinHashSignature(copies[j].body)));
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  std::sort(exact.begin(), exact.end());
  const double median = exact[exact.size() / 2];
  // Measured with seed 42: exact minimum 0.38, median 0.61, mean 0.62, maximum 0.93; the
  // MinHash estimate's mean 0.69, and 4,927 of the 4,950 pairs estimated >= 0.5.
  EXPECT_LT(exact.back(), 1.0);  // never the same shingles
  EXPECT_GT(exact.front(), 0.3);
  EXPECT_GT(median, 0.55);
  EXPECT_GT(mean(exact), 0.55);
  EXPECT_GT(mean(estimated), 0.55);
  // For scale: two independent texts of the generator share next to nothing.
  EXPECT_LT(ShingleJaccard(copies[0].body,
                           "The strap is sturdy and the padding feels great on long gigs. "
                           "Bought it as a replacement for my old one."),
            0.05);
}

TEST(TextSpinnerTest, DistinctSaysWhenTheTemplateRunsOut) {
  const TextSpinner spinner =
      *TextSpinner::Create({.sentences = {"Good {tuner|one}."}, .title = "x"}, 1);
  EXPECT_EQ(spinner.Distinct(2)->size(), 2u);
  EXPECT_EQ(spinner.Distinct(3).status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace candor::drive
