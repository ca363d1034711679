#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/ratings/rating_cache.h"
#include "libs/review/rating_aggregate.h"

namespace candor::gateway {

// The domain step of GetProductSummary (design.md 3.6): read the cache; on a miss (or when the
// cache is down) read the durable store and repair the cache with what it holds. Borrows ports.
class SummaryReader {
 public:
  SummaryReader(ratings::RatingCache& cache, ratings::RatingStore& store)
      : cache_(cache), store_(store) {}

  // NotFound when the product has no counted reviews; InvalidArgument for a malformed asin;
  // Unavailable when neither store answers.
  absl::StatusOr<review::RatingAggregate> Read(const std::string& asin);

 private:
  ratings::RatingCache& cache_;
  ratings::RatingStore& store_;
};

}  // namespace candor::gateway
