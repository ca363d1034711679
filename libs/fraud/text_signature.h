#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace candor::fraud {

// MinHash signature of a text's word shingles, for near-duplicate detection across accounts
// (design.md 4). Two texts' signatures agree in about Jaccard(shingles) of their positions.
inline constexpr int kMinHashSize = 64;
// LSH: the signature is cut into kLshBands bands of kLshRows values; texts that agree on a whole
// band are candidates (a pair with similarity s is a candidate with probability
// 1 - (1 - s^rows)^bands: about 0.5 at s = 0.5 with 16 x 4).
inline constexpr int kLshBands = 16;
inline constexpr int kLshRows = kMinHashSize / kLshBands;

using TextSignature = std::array<uint32_t, kMinHashSize>;

// The signature of `text` (title and body as the shopper wrote them): normalised (case folded,
// punctuation and spacing ignored), cut into word 3-shingles (the whole text as one shingle when
// it has fewer than 3 words), each shingle hashed by kMinHashSize seeded hashes; the minimum of
// each. Deterministic across processes and builds (no std::hash). Empty text: all values max.
TextSignature MinHashSignature(std::string_view text);

// The hashes of the words of `text` as MinHashSignature sees them (review::NormalizeText's
// words; ASCII text takes a faster path with the same result). Exposed for tests.
std::vector<uint64_t> WordHashes(std::string_view text);

// Estimated Jaccard similarity: the share of positions where the two agree.
double EstimatedSimilarity(const TextSignature& a, const TextSignature& b);

// A stable 64-bit key of band `band` (0..kLshBands-1) of `s`, for the LSH bucket of that band.
uint64_t BandKey(const TextSignature& s, int band);

}  // namespace candor::fraud
