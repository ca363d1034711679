#include <future>

#include "gtest/gtest.h"
#include "libs/ratings/async_redis_rating_cache.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/testing/stack_env.h"

namespace candor::ratings {
namespace {

TEST(RedisRatingCacheTest, VersionedPutNeverGoesBackwards) {
  auto client = redis::Client::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  RedisRatingCache cache(**client);
  review::RatingAggregate a;
  a.asin = testing::UniqueAsin();
  EXPECT_FALSE(cache.Get(a.asin)->has_value());
  a.Apply(5, true, 1);
  a.Apply(2, false, 1);
  a.version = 2;
  ASSERT_TRUE(*cache.Put(a));
  review::RatingAggregate older = a;
  older.version = 1;
  older.Apply(1, false, 1);
  EXPECT_FALSE(*cache.Put(older));  // stale writer is ignored
  auto got = cache.Get(a.asin);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->SameCounts(a));
  EXPECT_EQ((*got)->version, 2);
}

TEST(RedisRatingCacheTest, PutManyInOneRoundTripKeepsVersionRule) {
  auto client = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  RedisRatingCache cache(**client);
  std::vector<review::RatingAggregate> batch(3);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].asin = testing::UniqueAsin();
    batch[i].Apply(static_cast<int>(i) + 1, i % 2 == 0, 1);
    batch[i].version = 5;
  }
  ASSERT_TRUE(*cache.Put(batch[1]));  // already at version 5: the batch's copy is stale
  auto stored = cache.PutMany(batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, (std::vector<bool>{true, false, true}));
  for (const review::RatingAggregate& a : batch) {
    auto got = cache.Get(a.asin);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_TRUE((*got)->SameCounts(a));
    EXPECT_EQ((*got)->version, 5);
  }
}

// Blocking wrappers for the async adapter's callbacks (tests only).
absl::StatusOr<std::optional<review::RatingAggregate>> GetNow(AsyncRatingCache& cache,
                                                              const std::string& asin) {
  std::promise<absl::StatusOr<std::optional<review::RatingAggregate>>> p;
  cache.Get(asin, [&p](auto r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}
absl::StatusOr<bool> PutNow(AsyncRatingCache& cache, const review::RatingAggregate& a) {
  std::promise<absl::StatusOr<bool>> p;
  cache.Put(a, [&p](absl::StatusOr<bool> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(AsyncRedisRatingCacheTest, SameHashAsTheBlockingAdapterBothWays) {
  auto client = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  auto async_client = redis::AsyncClient::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(async_client.ok()) << async_client.status();
  RedisRatingCache blocking(**client);
  AsyncRedisRatingCache async(**async_client);

  review::RatingAggregate a;
  a.asin = testing::UniqueAsin();
  auto miss = GetNow(async, a.asin);
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->has_value());

  a.Apply(5, true, 1);
  a.Apply(3, false, 1);
  a.version = 3;
  ASSERT_TRUE(*blocking.Put(a));
  auto got = GetNow(async, a.asin);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  EXPECT_TRUE((*got)->SameCounts(a));
  EXPECT_EQ((*got)->version, 3);
  EXPECT_EQ((*got)->asin, a.asin);

  review::RatingAggregate newer = a;
  newer.Apply(1, false, 1);
  newer.version = 4;
  ASSERT_TRUE(*PutNow(async, newer));
  auto read_back = blocking.Get(a.asin);
  ASSERT_TRUE(read_back.ok() && read_back->has_value());
  EXPECT_TRUE((*read_back)->SameCounts(newer));
  EXPECT_EQ((*read_back)->version, 4);
}

TEST(AsyncRedisRatingCacheTest, VersionedPutNeverGoesBackwards) {
  auto async_client = redis::AsyncClient::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(async_client.ok()) << async_client.status();
  AsyncRedisRatingCache cache(**async_client);
  review::RatingAggregate a;
  a.asin = testing::UniqueAsin();
  a.Apply(4, false, 1);
  a.version = 5;
  ASSERT_TRUE(*PutNow(cache, a));
  EXPECT_FALSE(*PutNow(cache, a));  // same version again: ignored
  review::RatingAggregate stale = a;
  stale.Apply(1, false, 1);
  stale.version = 2;
  EXPECT_FALSE(*PutNow(cache, stale));
  auto got = GetNow(cache, a.asin);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->SameCounts(a));
  EXPECT_EQ((*got)->version, 5);
}

TEST(AsyncRedisRatingCacheTest, PartialHashIsAMissAndGarbageIsDataLoss) {
  auto client = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  auto async_client = redis::AsyncClient::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(async_client.ok()) << async_client.status();
  AsyncRedisRatingCache cache(**async_client);
  std::string partial = testing::UniqueAsin();
  ASSERT_TRUE((*client)
                  ->Command({"HSET", RedisRatingCache::Key(partial), "count", "2", "version", "1"})
                  .ok());
  auto miss = GetNow(cache, partial);
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->has_value());

  std::string garbage = testing::UniqueAsin();
  ASSERT_TRUE((*client)->Command({"HSET", RedisRatingCache::Key(garbage), "count", "lots"}).ok());
  EXPECT_EQ(GetNow(cache, garbage).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace candor::ratings
