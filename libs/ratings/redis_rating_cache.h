#pragma once

#include "libs/ratings/rating_cache.h"
#include "libs/redis/redis_client.h"

namespace candor::ratings {

// RatingCache on Redis over the blocking pooled client, for batch writers (the aggregator) and
// tools; request paths use AsyncRedisRatingCache. Layout and versioned write are those of
// redis_rating_hash.h (hash `rating:{asin}`; Put is one Lua script, so it is atomic). Blocks the
// calling thread for a round trip. Borrows `client`.
class RedisRatingCache final : public RatingCache {
 public:
  explicit RedisRatingCache(redis::Client& client) : client_(client) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override;
  absl::StatusOr<bool> Put(const review::RatingAggregate& aggregate) override;
  absl::Status Drop(const std::string& asin) override;
  // One pipelined round trip for the whole list (the aggregator writes a batch's products).
  absl::StatusOr<std::vector<bool>> PutMany(
      const std::vector<review::RatingAggregate>& aggregates) override;
  // Redis's `run_id` (INFO server): a new one for every start of the server. DataLoss when the
  // reply has none.
  absl::StatusOr<std::string> Incarnation() override;

  // The hash of `asin` (RatingHashKey), for tests and tools that look at Redis directly.
  static std::string Key(const std::string& asin);

 private:
  redis::Client& client_;
};

}  // namespace candor::ratings
