#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/ratings/rating_cache.h"
#include "libs/review/rating_aggregate.h"
#include "services/review-gateway/executor.h"

namespace candor::gateway {

// The domain step of GetProductSummary (design.md 3.6): read the cache; on a miss (or when the
// cache is down) read the durable store and repair the cache with what it holds. No step blocks
// the calling thread: the cache is read through the non-blocking port, and the store (blocking)
// is only ever read on `fallback`, never on the cache's I/O thread. Borrows every port; they must
// outlive every Read's `done`. Thread-safe.
class SummaryReader {
 public:
  using ReadCallback = std::function<void(absl::StatusOr<review::RatingAggregate>)>;

  SummaryReader(ratings::AsyncRatingCache& cache, ratings::RatingStore& store, Executor& fallback)
      : cache_(cache), store_(store), fallback_(fallback) {}

  // Answers `done` exactly once: inline (a malformed asin, a full fallback queue), on the cache's
  // I/O thread (a hit, a repair's reply) or on a fallback thread; `done` must not block.
  // Errors: InvalidArgument for a malformed asin; NotFound when the product has no counted
  // reviews; Unavailable when neither store answers, or when a miss finds the fallback queue
  // full. The cache is repaired (versioned) only when it answered, i.e. on a miss, and the
  // answer waits for the repair so a following read finds it.
  void Read(const std::string& asin, ReadCallback done);

 private:
  // The blocking half, on a fallback thread: Postgres, then the repair when `cache_answered`.
  void ReadStore(const std::string& asin, bool cache_answered, const ReadCallback& done);

  ratings::AsyncRatingCache& cache_;
  ratings::RatingStore& store_;
  Executor& fallback_;
};

}  // namespace candor::gateway
