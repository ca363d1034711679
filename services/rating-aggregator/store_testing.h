#pragma once

// The base fixture of the rating-aggregator's store tests (rating_aggregator_storetest,
// rating_healer_storetest, rating_reconciler_storetest). Tests only.
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/testing/assign.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/pg_rating_ledger.h"

namespace candor::rating_aggregator {

// The aggregator on real stores, wired as app.cc wires it: the stack's Postgres (the ledger and
// product_ratings) and a Redis the test names (rating:{asin}): the stack's, or a private server
// the test may kill.
class AggregatorStoreTest : public ::testing::Test {
 protected:
  // Connects to Postgres (the stack's database, or the one `pg_dsn` names) and to the Redis at
  // `redis_addr`, then builds the ledger, the cache, the store and the aggregator on them. A
  // store that cannot be reached fails the test fatally: call it under ASSERT_NO_FATAL_FAILURE.
  void Connect(const std::string& redis_addr, absl::Duration redis_timeout,
               const std::string& pg_dsn = testing::PgDsn()) {
    ASSERT_TRUE(testing::Assign(&pool_, pg::Pool::Create(pg_dsn, 2)));
    ASSERT_TRUE(testing::Assign(&redis_, redis::Client::Connect(redis_addr, 2, redis_timeout)));
    ledger_ = std::make_unique<PgRatingLedger>(*pool_);
    cache_ = std::make_unique<ratings::RedisRatingCache>(*redis_);
    store_ = std::make_unique<ratings::PgRatingStore>(*pool_);
    aggregator_ = std::make_unique<Aggregator>(*ledger_, *cache_);
  }

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<PgRatingLedger> ledger_;
  std::unique_ptr<ratings::RedisRatingCache> cache_;
  std::unique_ptr<ratings::PgRatingStore> store_;
  std::unique_ptr<Aggregator> aggregator_;
};

}  // namespace candor::rating_aggregator
