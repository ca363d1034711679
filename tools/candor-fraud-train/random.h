#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace candor::fraud_train {

// Random draws that do not depend on the standard library's distributions (whose output differs
// between implementations), so a seed gives the same simulation wherever the tool is built.

// Uniform in [0, 1).
inline double Uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

// Uniform in [lo, hi).
inline double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * Uniform(rng);
}

// Uniform in 0..n-1; n >= 1.
inline std::size_t Index(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(Uniform(rng) * static_cast<double>(n));
}

template <typename T>
void Shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Index(rng, i)]);
}

// A stable 64-bit hash (FNV-1a) for seeding sub-streams and splitting by user.
inline uint64_t StableHash(std::string_view s, uint64_t seed = 0) {
  uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace candor::fraud_train
