#include "tools/candor-drive/spinner.h"

#include <random>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/review/fingerprint.h"

namespace candor::drive {
namespace {

// The copy's own random stream: a hash of (seed, n) seeds it, so copies are independent of the
// order they are made in.
std::mt19937_64 CopyRng(uint64_t seed, int64_t n) {
  uint64_t x = seed ^ (static_cast<uint64_t>(n) * 0x9E3779B97F4A7C15ULL);
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  return std::mt19937_64(x);
}

absl::Status CheckSpintax(std::string_view text) {
  return ExpandSpintax(text, [](size_t) { return size_t{0}; }).status();
}

}  // namespace

absl::StatusOr<std::string> ExpandSpintax(std::string_view spintax,
                                          const std::function<size_t(size_t)>& pick) {
  std::string out;
  size_t i = 0;
  while (i < spintax.size()) {
    const char c = spintax[i];
    if (c == '}') return absl::InvalidArgumentError("spintax: '}' without '{'");
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    const size_t close = spintax.find('}', i);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("spintax: '{' without '}'");
    }
    const std::string_view group = spintax.substr(i + 1, close - i - 1);
    if (group.find('{') != std::string_view::npos) {
      return absl::InvalidArgumentError("spintax: nested '{'");
    }
    std::vector<std::string_view> alternatives;
    size_t start = 0;
    while (true) {
      const size_t bar = group.find('|', start);
      alternatives.push_back(group.substr(start, bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    const size_t k = pick(alternatives.size());
    out.append(alternatives[k < alternatives.size() ? k : 0]);
    i = close + 1;
  }
  return out;
}

absl::StatusOr<TextSpinner> TextSpinner::Create(SpinTemplate t, uint64_t seed,
                                                SpinOptions options) {
  if (t.sentences.empty()) return absl::InvalidArgumentError("spin template: no sentence");
  for (const std::string& s : t.sentences) {
    if (absl::Status st = CheckSpintax(s); !st.ok()) return st;
  }
  for (const std::string& s : t.insertions) {
    if (absl::Status st = CheckSpintax(s); !st.ok()) return st;
  }
  if (absl::Status st = CheckSpintax(t.title); !st.ok()) return st;
  return TextSpinner(std::move(t), seed, options);
}

TextSpinner::Copy TextSpinner::Make(int64_t n) const {
  std::mt19937_64 rng = CopyRng(seed_, n);
  auto pick = [&rng](size_t k) { return std::uniform_int_distribution<size_t>(0, k - 1)(rng); };
  auto uniform = [&rng] { return std::uniform_real_distribution<double>(0, 1)(rng); };
  // Create() checked every text, so expanding cannot fail.
  std::vector<std::string> sentences;
  sentences.reserve(t_.sentences.size() + 1);
  for (const std::string& s : t_.sentences) {
    std::string sentence = *ExpandSpintax(s, pick);
    if (!sentence.empty()) sentences.push_back(std::move(sentence));  // an optional one left out
  }
  // Reordering: the opening sentence stays (it says what the text is about), two neighbours
  // after it may trade places.
  if (sentences.size() >= 3 && uniform() < options_.swap_probability) {
    const size_t k = 1 + pick(sentences.size() - 2);
    std::swap(sentences[k], sentences[k + 1]);
  }
  if (!t_.insertions.empty() && uniform() < options_.insertion_probability) {
    std::string insertion = *ExpandSpintax(t_.insertions[pick(t_.insertions.size())], pick);
    const size_t at = 1 + pick(sentences.size());  // after the first sentence, at most at the end
    sentences.insert(sentences.begin() + static_cast<std::ptrdiff_t>(at), std::move(insertion));
  }
  Copy copy;
  copy.title = *ExpandSpintax(t_.title, pick);
  copy.body = absl::StrJoin(sentences, " ");
  return copy;
}

absl::StatusOr<std::vector<TextSpinner::Copy>> TextSpinner::Distinct(int64_t count) const {
  std::vector<Copy> out;
  std::unordered_set<std::string> seen;
  for (int64_t m = 0; static_cast<int64_t>(out.size()) < count; ++m) {
    if (m >= 20 * count) {
      return absl::ResourceExhaustedError(absl::StrCat("the spin template gives only ", out.size(),
                                                       " distinct texts in ", m, " tries, not ",
                                                       count));
    }
    Copy copy = Make(m);
    if (seen.insert(review::NormalizeText(copy.body)).second) out.push_back(std::move(copy));
  }
  return out;
}

// Long sentences are split over lines as adjacent literals, on purpose.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
const SpinTemplate& FarmTemplate() {
  static const SpinTemplate kTemplate = {
      .sentences =
          {
              "I bought this tuner {last month|a few weeks ago|recently} for my acoustic guitar "
              "and I am really happy with it.",
              "It is {very|incredibly} accurate and picks up every note {instantly|right away}, "
              "even the low E string.",
              "The display is bright and easy to read {on a dark stage|in low light} and the clip "
              "holds tight on the headstock.",
              "Battery life has been {excellent|great} so far and it turns itself off when I "
              "forget.",
              "It works {much|far} better than the expensive tuner I used before.",
              "{Highly recommend|I recommend it} to every guitar player{.|!}",
          },
      .insertions =
          {
              "Shipping was {fast|quick}.",
              "Great value for the money.",
              "My guitar teacher uses the same one.",
              "Five stars from me.",
              "It came well packed.",
          },
      .title = "{Great|Excellent|Best} tuner{| ever| for the money}",
  };
  return kTemplate;
}
// NOLINTEND(bugprone-suspicious-missing-comma)

}  // namespace candor::drive
