// RatingHealer on a private redis-server (so it can be killed and restarted without disturbing
// the shared stack) and the stack's Postgres: Redis that came back with an older state is healed
// from product_ratings within a few seconds, with no new event.
#include <mutex>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/core/periodic_reporter.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/rating-aggregator/rating_healer.h"
#include "services/rating-aggregator/store_testing.h"

namespace candor::rating_aggregator {
namespace {

constexpr absl::Duration kHealInterval = absl::Milliseconds(100);
constexpr absl::Duration kHealedWithin = absl::Seconds(5);

class RatingHealerStoreTest : public AggregatorStoreTest {
 protected:
  // A server whose state on disk is only what SAVE wrote: a kill loses everything after it, as a
  // kill -9 under appendfsync everysec loses the last second. DEBUG is allowed from loopback so
  // a test can reload the dump without a restart.
  RatingHealerStoreTest() : server_({"--appendonly", "no", "--enable-debug-command", "local"}) {}

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Connect(server_.address(), absl::Seconds(1))); }

  void TearDown() override {
    if (healer_ != nullptr) healer_->Cancel();
    timer_.reset();
  }

  // Creates the healer and records the current Redis as healed (its first check).
  void StartHealer(HealerOptions options) {
    healer_ = std::make_unique<RatingHealer>(*store_, *cache_, options);
    auto first = healer_->Check();
    ASSERT_TRUE(first.ok()) << first.status();
  }

  // From now on the healer checks every kHealInterval, as app.cc runs it.
  void StartTimer() {
    // As app.cc runs it: on its own thread, beside (here: instead of) the consume loop.
    timer_ = std::make_unique<core::PeriodicReporter>(kHealInterval, [this](absl::Duration) {
      absl::StatusOr<HealReport> r = healer_->Check();
      if (!r.ok()) return;  // Redis still restarting: the next tick retries
      std::lock_guard lock(mu_);
      reports_.push_back(*r);
    });
  }

  // Adds an active review of `asin` and counts it through the aggregator (Postgres, then Redis).
  void AddCountedReview(const std::string& asin, int rating) {
    const std::string id = reviewdb::testing::InsertReview(
        *pool_, {.asin = asin, .rating = rating, .verified_purchase = true});
    ASSERT_TRUE(aggregator_->Apply({{id, asin, LedgerEvent::Kind::kCount}}).ok());
  }

  review::RatingAggregate Truth(const std::string& asin) {
    auto got = store_->Get(asin);
    EXPECT_TRUE(got.ok() && got->has_value()) << asin;
    return got.ok() && got->has_value() ? **got : review::RatingAggregate{};
  }

  // The cached aggregate of `asin`, nullopt when missing. Retries while a restarted server's
  // pooled connections are re-dialled.
  std::optional<review::RatingAggregate> Cached(const std::string& asin) {
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    auto got = cache_->Get(asin);
    while (!got.ok() && absl::Now() < deadline) got = cache_->Get(asin);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  // Whether Redis holds exactly product_ratings' aggregate (counts and version) for `asin`.
  bool CacheMatchesTruth(const std::string& asin) {
    std::optional<review::RatingAggregate> cached = Cached(asin);
    review::RatingAggregate truth = Truth(asin);
    return cached.has_value() && cached->SameCounts(truth) && cached->version == truth.version;
  }

  // Waits until every one of `asins` matches product_ratings in Redis; false after `limit`.
  bool HealedWithin(const std::vector<std::string>& asins, absl::Duration limit) {
    absl::Time deadline = absl::Now() + limit;
    while (absl::Now() < deadline) {
      bool all = true;
      for (const std::string& a : asins) all = all && CacheMatchesTruth(a);
      if (all) return true;
    }
    return false;
  }

  absl::StatusOr<redis::Reply> Redis(const std::vector<std::string_view>& args) {
    return redis_->Command(args);
  }

  // Redis's run_id; retries while a restarted server's pooled connections are re-dialled.
  std::string RunId() {
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    absl::StatusOr<std::string> id = cache_->Incarnation();
    while (!id.ok() && absl::Now() < deadline) id = cache_->Incarnation();
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  std::vector<HealReport> Reports() {
    std::lock_guard lock(mu_);
    return reports_;
  }

  testing::RedisServer server_;
  std::unique_ptr<RatingHealer> healer_;
  std::mutex mu_;
  std::vector<HealReport> reports_;
  std::unique_ptr<core::PeriodicReporter> timer_;  // last: stops first
};

// Redis killed after a write it had not persisted and restarted (new run_id): one product one
// version behind, another missing altogether. Both are right again within seconds, no new event.
TEST_F(RatingHealerStoreTest, RestartedRedisThatLostWritesIsHealedWithoutNewEvents) {
  const std::string behind = testing::UniqueAsin();
  const std::string missing = testing::UniqueAsin();
  AddCountedReview(behind, 5);
  // A window too short to reach these products: only the restart can heal them.
  StartHealer({.window = absl::Microseconds(1), .settle = absl::ZeroDuration()});
  ASSERT_TRUE(Redis({"SAVE"}).ok());
  AddCountedReview(behind, 2);
  AddCountedReview(missing, 4);
  ASSERT_TRUE(CacheMatchesTruth(behind) && CacheMatchesTruth(missing));
  const std::string before = RunId();

  server_.Kill();
  server_.Restart();
  ASSERT_NE(RunId(), before);
  std::optional<review::RatingAggregate> lost = Cached(behind);
  ASSERT_TRUE(lost.has_value());
  ASSERT_LT(lost->version, Truth(behind).version) << "the restart should have lost a write";
  ASSERT_FALSE(Cached(missing).has_value());

  StartTimer();
  EXPECT_TRUE(HealedWithin({behind, missing}, kHealedWithin));
  // The check records its report after its last write to the cache, so the healed values can be
  // seen a moment before the report is.
  EXPECT_TRUE(testing::WaitUntil([&] {
    for (const HealReport& r : Reports()) {
      if (r.restarted) return true;
    }
    return false;
  }));
  bool reported = false;
  for (const HealReport& r : Reports()) {
    if (!r.restarted) continue;
    reported = true;
    EXPECT_EQ(r.previous_incarnation, before);
    EXPECT_GE(r.healed, 2);
    EXPECT_GE(r.checked, r.healed);
    EXPECT_EQ(DescribeHeal(r, healer_->options()).rfind("healed ", 0), 0u);
  }
  EXPECT_TRUE(reported) << "no check saw the restart";
}

// Redis went back to its older dump without restarting (same run_id): the routine check of
// recently changed products heals it.
TEST_F(RatingHealerStoreTest, OlderDumpReloadedWithoutRestartIsHealed) {
  const std::string asin = testing::UniqueAsin();
  AddCountedReview(asin, 3);
  StartHealer({.window = absl::Minutes(1), .settle = absl::ZeroDuration()});
  ASSERT_TRUE(Redis({"SAVE"}).ok());
  AddCountedReview(asin, 1);
  ASSERT_TRUE(CacheMatchesTruth(asin));
  const std::string before = RunId();

  auto reload = Redis({"DEBUG", "RELOAD", "NOSAVE"});
  ASSERT_TRUE(reload.ok()) << reload.status();
  ASSERT_EQ(RunId(), before);
  ASSERT_FALSE(CacheMatchesTruth(asin)) << "the reload should have gone back one version";

  StartTimer();
  EXPECT_TRUE(HealedWithin({asin}, kHealedWithin));
}

// A heal only fills in what is missing or older: a newer cached version (a write the healer's
// read of Postgres did not see yet) is never overwritten, after a restart or in the routine check.
TEST_F(RatingHealerStoreTest, HealNeverMovesTheCacheBackwards) {
  const std::string asin = testing::UniqueAsin();
  AddCountedReview(asin, 4);
  StartHealer({.window = absl::Minutes(1), .settle = absl::ZeroDuration()});
  review::RatingAggregate newer = Truth(asin);
  newer.version += 5;
  newer.count += 1;
  ASSERT_TRUE(cache_->Put(newer).ok());

  auto routine = healer_->Check();
  ASSERT_TRUE(routine.ok()) << routine.status();
  EXPECT_GE(routine->checked, 1);
  ASSERT_TRUE(Cached(asin).has_value());
  EXPECT_EQ(Cached(asin)->version, newer.version);

  ASSERT_TRUE(Redis({"SAVE"}).ok());
  server_.Restart();
  RunId();  // re-dials
  auto full = healer_->Check();
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(full->restarted);
  EXPECT_EQ(Cached(asin)->version, newer.version);
  EXPECT_EQ(Cached(asin)->count, newer.count);
}

}  // namespace
}  // namespace candor::rating_aggregator
