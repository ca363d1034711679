#include "gtest/gtest.h"
#include "libs/ratings/pg_rating_store.h"
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

TEST(PgRatingStoreTest, ReadsRow) {
  auto pool = pg::Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  PgRatingStore store(**pool);
  std::string asin = testing::UniqueAsin();
  EXPECT_FALSE(store.Get(asin)->has_value());
  ASSERT_TRUE((*pool)
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec_params(
                        "INSERT INTO product_ratings (asin, review_count, rating_sum, stars_4, "
                        "version) VALUES ($1, 1, 4, 1, 7)",
                        asin);
                  })
                  .ok());
  auto got = store.Get(asin);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->count, 1);
  EXPECT_EQ((*got)->stars[3], 1);
  EXPECT_EQ((*got)->version, 7);
}

}  // namespace
}  // namespace candor::ratings
