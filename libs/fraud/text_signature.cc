#include "libs/fraud/text_signature.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "libs/review/fingerprint.h"

namespace candor::fraud {
namespace {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a fixed, well-mixing 64-bit permutation.
constexpr uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a over the bytes, then Mix: a stable 64-bit hash of a word (FNV alone mixes its high bits
// poorly, which the multiply-shift hashes below take their output from).
uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return Mix(h);
}

// The kMinHashSize hash functions: multiply-shift h_i(x) = (a_i * x + b_i) >> 32 with a_i odd,
// coefficients drawn once from splitmix64 on a fixed seed, so every process and build agrees.
struct Coefficients {
  std::array<uint64_t, kMinHashSize> a{};
  std::array<uint64_t, kMinHashSize> b{};
};

constexpr Coefficients MakeCoefficients() {
  Coefficients c;
  uint64_t state = 0x43616e646f724d48ULL;  // "CandorMH"
  for (int i = 0; i < kMinHashSize; ++i) {
    state += 0x9e3779b97f4a7c15ULL;
    c.a[static_cast<std::size_t>(i)] = Mix(state) | 1;
    state += 0x9e3779b97f4a7c15ULL;
    c.b[static_cast<std::size_t>(i)] = Mix(state);
  }
  return c;
}

constexpr Coefficients kCoefficients = MakeCoefficients();

// Folds one shingle's hash into the running minima.
inline void Fold(uint64_t x, TextSignature& sig) {
  for (std::size_t i = 0; i < sig.size(); ++i) {
    const auto h = static_cast<uint32_t>((kCoefficients.a[i] * x + kCoefficients.b[i]) >> 32);
    sig[i] = std::min(sig[i], h);
  }
}

}  // namespace

TextSignature MinHashSignature(std::string_view text) {
  TextSignature sig;
  sig.fill(std::numeric_limits<uint32_t>::max());
  // NormalizeText folds case and turns every run of punctuation and spacing into one space, so
  // the words are what lies between single spaces.
  const std::string norm = review::NormalizeText(text);
  if (norm.empty()) return sig;
  std::vector<uint64_t> words;
  words.reserve(norm.size() / 4 + 1);
  std::size_t start = 0;
  while (start <= norm.size()) {
    std::size_t end = norm.find(' ', start);
    if (end == std::string::npos) end = norm.size();
    words.push_back(HashBytes(std::string_view(norm).substr(start, end - start)));
    start = end + 1;
  }
  if (words.size() < 3) {
    // Fewer words than a shingle: the whole text is the one shingle.
    uint64_t x = Mix(words.size());
    for (uint64_t w : words) x = Mix(x ^ w);
    Fold(x, sig);
    return sig;
  }
  for (std::size_t i = 0; i + 2 < words.size(); ++i) {
    // Order-sensitive: "a b c" and "c b a" are different shingles.
    Fold(Mix(words[i] ^ Mix(words[i + 1] ^ Mix(words[i + 2]))), sig);
  }
  return sig;
}

double EstimatedSimilarity(const TextSignature& a, const TextSignature& b) {
  int same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(kMinHashSize);
}

uint64_t BandKey(const TextSignature& s, int band) {
  // The band number is mixed in, so equal values in two different bands give different keys.
  uint64_t x = Mix(0x4c53484261ULL + static_cast<uint64_t>(band));
  for (int r = 0; r < kLshRows; ++r) {
    x = Mix(x ^ s[static_cast<std::size_t>(band * kLshRows + r)]);
  }
  return x;
}

}  // namespace candor::fraud
