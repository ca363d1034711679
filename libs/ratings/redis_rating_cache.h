#pragma once

#include "libs/ratings/rating_cache.h"
#include "libs/redis/redis_client.h"

namespace candor::ratings {

// RatingCache on Redis: hash `rating:{asin}` with fields count, sum, vcount, vsum, s1..s5,
// version. Put is one Lua script (compare version, then HSET), so it is atomic. Borrows `client`.
class RedisRatingCache final : public RatingCache {
 public:
  explicit RedisRatingCache(redis::Client& client) : client_(client) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override;
  absl::StatusOr<bool> Put(const review::RatingAggregate& aggregate) override;
  // One pipelined round trip for the whole list (the aggregator writes a batch's products).
  absl::StatusOr<std::vector<bool>> PutMany(
      const std::vector<review::RatingAggregate>& aggregates) override;

  static std::string Key(const std::string& asin) { return "rating:" + asin; }

 private:
  redis::Client& client_;
};

}  // namespace candor::ratings
