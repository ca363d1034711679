#pragma once

#include "libs/ratings/rating_cache.h"
#include "libs/redis/async_client.h"

namespace candor::ratings {

// AsyncRatingCache on Redis through the pipelining redis::AsyncClient: Get is one HGETALL, Put
// the versioned Lua script, both laid out as redis_rating_hash.h says (the same bytes as
// RedisRatingCache). No call blocks; `done` runs on the client's I/O thread (or at once with
// Unavailable when the client is shutting down). Thread-safe. Borrows `client`.
class AsyncRedisRatingCache final : public AsyncRatingCache {
 public:
  explicit AsyncRedisRatingCache(redis::AsyncClient& client) : client_(client) {}
  void Get(const std::string& asin, GetCallback done) override;
  void Put(const review::RatingAggregate& aggregate, PutCallback done) override;

 private:
  redis::AsyncClient& client_;
};

}  // namespace candor::ratings
