#include <future>

#include "gtest/gtest.h"
#include "libs/ratings/async_redis_rating_cache.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/testing/assign.h"
#include "libs/testing/stack_env.h"

namespace candor::ratings {
namespace {

using CachedAggregate = absl::StatusOr<std::optional<review::RatingAggregate>>;

// Blocking wrappers for the async adapter's callbacks (tests only).
CachedAggregate GetNow(AsyncRatingCache& cache, const std::string& asin) {
  std::promise<CachedAggregate> p;
  cache.Get(asin, [&p](auto r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}
absl::StatusOr<bool> PutNow(AsyncRatingCache& cache, const review::RatingAggregate& a) {
  std::promise<absl::StatusOr<bool>> p;
  cache.Put(a, [&p](absl::StatusOr<bool> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

// That `got` is `want`'s aggregate: the same counts at the same version.
void ExpectCached(const CachedAggregate& got, const review::RatingAggregate& want) {
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  EXPECT_TRUE((*got)->SameCounts(want));
  EXPECT_EQ((*got)->version, want.version);
}

// Both Redis adapters of the rating cache on the stack's Redis: the blocking RedisRatingCache on
// a redis::Client and the pipelining AsyncRedisRatingCache on a redis::AsyncClient.
class RatingCacheStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::Assign(&client_,
                                redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2))));
    ASSERT_TRUE(testing::Assign(
        &async_client_, redis::AsyncClient::Connect(testing::RedisAddr(), 1, absl::Seconds(2))));
    blocking_ = std::make_unique<RedisRatingCache>(*client_);
    async_ = std::make_unique<AsyncRedisRatingCache>(*async_client_);
  }

  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<redis::AsyncClient> async_client_;
  std::unique_ptr<RedisRatingCache> blocking_;
  std::unique_ptr<AsyncRedisRatingCache> async_;
};

enum class Adapter { kBlocking, kAsync };

// The rules every adapter keeps, run against each in turn (through blocking calls).
class RatingCacheAdapterTest : public RatingCacheStoreTest,
                               public ::testing::WithParamInterface<Adapter> {
 protected:
  CachedAggregate Get(const std::string& asin) {
    return GetParam() == Adapter::kBlocking ? blocking_->Get(asin) : GetNow(*async_, asin);
  }
  absl::StatusOr<bool> Put(const review::RatingAggregate& a) {
    return GetParam() == Adapter::kBlocking ? blocking_->Put(a) : PutNow(*async_, a);
  }
};

TEST_P(RatingCacheAdapterTest, VersionedPutNeverGoesBackwards) {
  review::RatingAggregate a;
  a.asin = testing::UniqueAsin();
  EXPECT_FALSE(Get(a.asin)->has_value());
  a.Apply(5, true, 1);
  a.Apply(2, false, 1);
  a.version = 5;
  ASSERT_TRUE(*Put(a));
  EXPECT_FALSE(*Put(a));  // same version again: ignored
  review::RatingAggregate stale = a;
  stale.version = 2;
  stale.Apply(1, false, 1);
  EXPECT_FALSE(*Put(stale));  // stale writer is ignored
  ExpectCached(Get(a.asin), a);
}

INSTANTIATE_TEST_SUITE_P(BothAdapters, RatingCacheAdapterTest,
                         ::testing::Values(Adapter::kBlocking, Adapter::kAsync),
                         [](const ::testing::TestParamInfo<Adapter>& param) {
                           return param.param == Adapter::kBlocking ? "RedisRatingCache"
                                                                    : "AsyncRedisRatingCache";
                         });

TEST_F(RatingCacheStoreTest, PutManyInOneRoundTripKeepsVersionRule) {
  std::vector<review::RatingAggregate> batch(3);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].asin = testing::UniqueAsin();
    batch[i].Apply(static_cast<int>(i) + 1, i % 2 == 0, 1);
    batch[i].version = 5;
  }
  ASSERT_TRUE(*blocking_->Put(batch[1]));  // already at version 5: the batch's copy is stale
  auto stored = blocking_->PutMany(batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, (std::vector<bool>{true, false, true}));
  for (const review::RatingAggregate& a : batch) ExpectCached(blocking_->Get(a.asin), a);
}

TEST_F(RatingCacheStoreTest, SameHashFromBothAdaptersBothWays) {
  review::RatingAggregate a;
  a.asin = testing::UniqueAsin();
  auto miss = GetNow(*async_, a.asin);
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->has_value());

  a.Apply(5, true, 1);
  a.Apply(3, false, 1);
  a.version = 3;
  ASSERT_TRUE(*blocking_->Put(a));
  auto got = GetNow(*async_, a.asin);
  ASSERT_NO_FATAL_FAILURE(ExpectCached(got, a));
  EXPECT_EQ((*got)->asin, a.asin);

  review::RatingAggregate newer = a;
  newer.Apply(1, false, 1);
  newer.version = 4;
  ASSERT_TRUE(*PutNow(*async_, newer));
  ExpectCached(blocking_->Get(a.asin), newer);
}

TEST_F(RatingCacheStoreTest, PartialHashIsAMissAndGarbageIsDataLossForTheAsyncAdapter) {
  std::string partial = testing::UniqueAsin();
  ASSERT_TRUE(
      client_->Command({"HSET", RedisRatingCache::Key(partial), "count", "2", "version", "1"})
          .ok());
  auto miss = GetNow(*async_, partial);
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->has_value());

  std::string garbage = testing::UniqueAsin();
  ASSERT_TRUE(client_->Command({"HSET", RedisRatingCache::Key(garbage), "count", "lots"}).ok());
  EXPECT_EQ(GetNow(*async_, garbage).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace candor::ratings
