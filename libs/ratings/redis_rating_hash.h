#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/redis/redis_client.h"
#include "libs/review/rating_aggregate.h"

namespace candor::ratings {

// How a product aggregate is laid out in Redis, shared by the blocking adapter
// (RedisRatingCache) and the non-blocking one (AsyncRedisRatingCache) so the two can never
// disagree: hash `rating:{asin}` with fields count, sum, vcount, vsum, s1..s5, version.

// The key of `asin`'s hash.
inline std::string RatingHashKey(const std::string& asin) { return "rating:" + asin; }

// The command that reads `asin`'s hash; its reply goes to ParseRatingHash.
inline std::vector<std::string> RatingHashGetCommand(const std::string& asin) {
  return {"HGETALL", RatingHashKey(asin)};
}

// Decodes the HGETALL reply of `asin`'s hash. nullopt when the hash is absent or lacks one of
// the ten fields (written by hand, half-evicted): callers treat that as a miss and repair it.
// DataLoss when any field's value (known or not) is not an integer; otherwise unknown fields are
// ignored. Pure; thread-safe.
absl::StatusOr<std::optional<review::RatingAggregate>> ParseRatingHash(const std::string& asin,
                                                                       const redis::Reply& reply);

// The versioned write: KEYS[1] = the hash, ARGV = RatingPutArgs. Stores every field only when
// the stored version is absent or older, atomically; replies 1 when stored, 0 when the cache
// already held this version or a newer one (so a writer can never move it backwards, I3).
const redis::Script& RatingPutScript();
std::vector<std::string> RatingPutArgs(const review::RatingAggregate& aggregate);
// Whether a RatingPutScript reply says the aggregate was stored.
inline bool RatingPutStored(const redis::Reply& reply) { return reply.integer == 1; }

}  // namespace candor::ratings
