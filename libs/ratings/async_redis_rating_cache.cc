#include "libs/ratings/async_redis_rating_cache.h"

#include "libs/ratings/redis_rating_hash.h"

namespace candor::ratings {

void AsyncRedisRatingCache::Get(const std::string& asin, GetCallback done) {
  client_.Command(RatingHashGetCommand(asin),
                  [asin, done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                    if (!r.ok()) {
                      done(r.status());
                      return;
                    }
                    done(ParseRatingHash(asin, *r));
                  });
}

void AsyncRedisRatingCache::Put(const review::RatingAggregate& aggregate, PutCallback done) {
  client_.Eval(RatingPutScript(), {RatingHashKey(aggregate.asin)}, RatingPutArgs(aggregate),
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 done(RatingPutStored(*r));
               });
}

}  // namespace candor::ratings
