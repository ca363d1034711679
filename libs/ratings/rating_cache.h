#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/rating_aggregate.h"

namespace candor::ratings {

// Port: the fast copy of product aggregates that product pages read (Redis `rating:{asin}`).
// Writes carry absolute values and a version; a write with a version not newer than the stored
// one is ignored, so a slow or repeated writer can never move the cache backwards (I3).
// Implementations are thread-safe and never throw; Unavailable when the store is unreachable.
class RatingCache {
 public:
  virtual ~RatingCache() = default;
  // nullopt when the product has no cached aggregate.
  virtual absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) = 0;
  // Returns true when stored, false when the cache already held this version or a newer one.
  virtual absl::StatusOr<bool> Put(const review::RatingAggregate& aggregate) = 0;
  // Removes the product's entry whatever it holds: only for repairing an entry that cannot be
  // read or that blocks the versioned write (a hash written by hand); writers use Put.
  virtual absl::Status Drop(const std::string& asin) = 0;
  // Put for many products; element i says whether aggregates[i] was stored. Adapters override it
  // to share round trips; this default just calls Put in turn.
  virtual absl::StatusOr<std::vector<bool>> PutMany(
      const std::vector<review::RatingAggregate>& aggregates) {
    std::vector<bool> stored;
    stored.reserve(aggregates.size());
    for (const review::RatingAggregate& a : aggregates) {
      absl::StatusOr<bool> one = Put(a);
      if (!one.ok()) return one.status();
      stored.push_back(*one);
    }
    return stored;
  }
  // An id of the cache's current incarnation, which changes whenever the cache may have lost
  // writes wholesale (Redis restarted: its `run_id`). Empty when the adapter cannot tell (then
  // no change is ever seen). Unavailable when the store is unreachable.
  virtual absl::StatusOr<std::string> Incarnation() { return std::string(); }
};

// Port: the same cache as RatingCache for request paths, which must not block a thread on I/O
// (gRPC callback handlers). `done` runs exactly once, possibly before the call returns and
// possibly on an I/O thread of the adapter: it must be short and must never block (hand blocking
// work to another thread). Same data, versioning and errors as RatingCache. Implementations are
// thread-safe and never throw.
class AsyncRatingCache {
 public:
  using GetCallback = std::function<void(absl::StatusOr<std::optional<review::RatingAggregate>>)>;
  using PutCallback = std::function<void(absl::StatusOr<bool>)>;

  virtual ~AsyncRatingCache() = default;
  // As RatingCache::Get.
  virtual void Get(const std::string& asin, GetCallback done) = 0;
  // As RatingCache::Put (versioned: never moves the cache backwards).
  virtual void Put(const review::RatingAggregate& aggregate, PutCallback done) = 0;
};

// Port: the durable aggregates (Postgres `product_ratings`), the source of truth for repairs.
class RatingStore {
 public:
  virtual ~RatingStore() = default;
  // nullopt when the product has no row.
  virtual absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) = 0;
};

// One page of a RatingScan listing: the aggregates, and the cursor that continues after them
// (empty when this was the last page).
struct RatingPage {
  std::vector<review::RatingAggregate> aggregates;
  std::string next;
};

// Port: pages through the durable aggregates, so that a cache that lost writes can be rebuilt
// from them. Cursors are opaque: pass "" for the first page, then the previous page's `next`.
// A listing is not a snapshot: rows changed while it runs may be seen in either state (the
// cache's versioned write makes either harmless). Implementations are thread-safe and never
// throw; Unavailable when the store is unreachable.
class RatingScan {
 public:
  virtual ~RatingScan() = default;
  // Every product's aggregate, up to `limit` per page.
  virtual absl::StatusOr<RatingPage> ListAll(const std::string& cursor, int limit) = 0;
  // The aggregates last changed between `newer_than` and `older_than` ago (by the store's own
  // clock), up to `limit` per page.
  virtual absl::StatusOr<RatingPage> ListChanged(absl::Duration newer_than,
                                                 absl::Duration older_than,
                                                 const std::string& cursor, int limit) = 0;
};

}  // namespace candor::ratings
