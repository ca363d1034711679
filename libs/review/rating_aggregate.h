#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace candor::review {

// Bayesian prior for the display average: (C*m + sum) / (C + count).
struct DisplayPrior {
  double weight = 10.0;  // C
  double mean = 3.0;     // m
};

// One product's exact rating aggregate: integer sums and counts only, so averages are exact and
// adding then subtracting a review restores the previous state bit for bit. Plain value type.
struct RatingAggregate {
  std::string asin;
  int64_t count = 0;
  int64_t sum = 0;
  int64_t verified_count = 0;
  int64_t verified_sum = 0;
  std::array<int64_t, 5> stars{};  // stars[0] = 1-star reviews
  int64_t version = 0;

  // Counts (sign = +1) or uncounts (sign = -1) one review. `rating` must be 1..5.
  void Apply(int rating, bool verified, int sign);

  double Average() const;
  double VerifiedAverage() const;
  double DisplayAverage(const DisplayPrior& prior) const;

  // Equality of the counted values (not the version).
  bool SameCounts(const RatingAggregate& other) const;
};

}  // namespace candor::review
