#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// Shape of generated traffic. Every count is of submissions (a retry is one submission).
struct GeneratorOptions {
  int64_t count = 2000;       // submissions in all, follow-ups included
  int64_t products = 200;     // catalogue size; popularity is Zipf-like (s = 1)
  int64_t users = 2000;       // ordinary shoppers; each sends at most kMaxPerUser submissions
  double retry_ratio = 0.03;  // share of submissions that are client retries
  uint64_t seed = 1;          // same seed, same plan (user ids included)
};

// The deliberate parts of the mix, beside retries.
inline constexpr double kSecondReviewRatio = 0.01;  // same user, same product again
inline constexpr double kInvalidRatio = 0.01;       // rating 0 or 6, or an empty body
inline constexpr int kHeavyUserRequests = 14;       // a heavy user's reviews (4 over the limit)
inline constexpr int kMaxPerUser = 8;               // ordinary users stay under the daily limit

// Zipf-like popularity over a catalogue of `products` (>= 1): product k (0-based) has weight
// 1 / (k + 1), the shape Generate uses. Sample is const and safe from many threads, each with
// its own generator.
class ProductSampler {
 public:
  explicit ProductSampler(int64_t products);
  int64_t Sample(std::mt19937_64& rng) const;

 private:
  std::vector<double> cumulative_;
};

// Number of heavy users for `count` submissions: one per 400 (at most 50), none below 200.
int64_t HeavyUsersFor(int64_t count);

// Builds realistic traffic: products by Zipf-like popularity, ratings 1..5 at 2/3/8/20/67 %,
// review text from word lists with lengths from a few words to a few hundred, verified purchase
// for ~70 % (VerifiedByHash). Deliberately included, each with the answer it must get:
//   - client retries of the exact request, sent after the first answer (kSameAsFirst);
//   - a second review of a product by the same user (kDuplicate);
//   - heavy users with kHeavyUserRequests reviews each (exactly 10 accepted, the rest
//     RESOURCE_EXHAUSTED: an exact UserLimit);
//   - invalid requests (kInvalid); every other review is kOk.
// User ids derive from the seed, so different seeds never collide on a shared stack.
// InvalidArgument when the options cannot fit (too few users or products for the count).
absl::StatusOr<Plan> Generate(const GeneratorOptions& options);

// The ASIN of catalogue product `index` (0-based): "B0CD" + 6 digits.
std::string ProductAsin(int64_t index);

// The generator's parts, for other traffic sources (scenario.h): a rating drawn at 1..5 stars =
// 2/3/8/20/67 %, and a review's title (empty one time in ten) and body (one sentence to a few
// hundred words from word lists) in the tone of `rating`.
int32_t SampleRating(std::mt19937_64& rng);
std::string GeneratedTitle(std::mt19937_64& rng, int32_t rating);
std::string GeneratedBody(std::mt19937_64& rng, int32_t rating);

}  // namespace candor::drive
