#include "libs/review/rating_aggregate.h"

#include <cassert>

namespace candor::review {

void RatingAggregate::Apply(int rating, bool verified, int sign) {
  assert(rating >= 1 && rating <= 5 && (sign == 1 || sign == -1));
  count += sign;
  sum += sign * rating;
  stars[rating - 1] += sign;
  if (verified) {
    verified_count += sign;
    verified_sum += sign * rating;
  }
}

double RatingAggregate::Average() const {
  return count == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(count);
}

double RatingAggregate::VerifiedAverage() const {
  return verified_count == 0
             ? 0.0
             : static_cast<double>(verified_sum) / static_cast<double>(verified_count);
}

double RatingAggregate::DisplayAverage(const DisplayPrior& prior) const {
  return (prior.weight * prior.mean + static_cast<double>(sum)) /
         (prior.weight + static_cast<double>(count));
}

bool RatingAggregate::SameCounts(const RatingAggregate& o) const {
  return count == o.count && sum == o.sum && verified_count == o.verified_count &&
         verified_sum == o.verified_sum && stars == o.stars;
}

}  // namespace candor::review
