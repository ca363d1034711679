// RatingReconciler (the --check / --repair of candor-rating-aggregator) on a Postgres database of
// its own (so a check over every product sees only this test's) and the stack's Redis: agreeing
// copies are no drift; every kind of drift is found, named and repaired, after which I2 and I3
// hold exactly; a difference that closes before the re-check is not drift; and the command's
// exit codes and output.
#include <map>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/app.h"
#include "services/rating-aggregator/rating_reconciler.h"
#include "services/rating-aggregator/store_testing.h"

namespace candor::rating_aggregator {
namespace {

class ReconcilerStoreTest : public AggregatorStoreTest {
 protected:
  void SetUp() override {
    database_.Migrate();
    ASSERT_NO_FATAL_FAILURE(Connect(testing::RedisAddr(), absl::Seconds(2), database_.dsn()));
  }

  // A product with active reviews of `ratings` (every other one verified), counted by the
  // aggregator: its row in Postgres, its hash in Redis.
  std::string Product(const std::vector<int>& ratings) {
    std::string asin = testing::UniqueAsin();
    std::vector<LedgerEvent> events;
    for (size_t i = 0; i < ratings.size(); ++i) {
      const std::string id = reviewdb::testing::InsertReview(
          *pool_, {.asin = asin, .rating = ratings[i], .verified_purchase = i % 2 == 0});
      events.push_back({id, asin, LedgerEvent::Kind::kCount});
    }
    EXPECT_TRUE(aggregator_->Apply(events).ok());
    return asin;
  }

  review::RatingAggregate Row(const std::string& asin) {
    auto row = store_->Get(asin);
    EXPECT_TRUE(row.ok() && row->has_value()) << asin;
    return row.ok() && row->has_value() ? **row : review::RatingAggregate{};
  }

  // Replaces the product's hash with `a`, whatever version it held.
  void SetCache(const review::RatingAggregate& a) {
    ASSERT_TRUE(cache_->Drop(a.asin).ok());
    ASSERT_TRUE(cache_->Put(a).ok());
  }

  RatingReconciler Reconciler(
      absl::Duration settle = absl::ZeroDuration(),
      std::function<void(absl::Duration)> sleep = [](absl::Duration) {}) {
    return RatingReconciler(*store_, *store_, *ledger_, *cache_, {.page_size = 2, .settle = settle},
                            std::move(sleep));
  }

  ReconcileReport Check(RatingReconciler& reconciler) {
    auto report = reconciler.Check();
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : ReconcileReport{};
  }

  // I2 and I3 for `asin`: the row equals the sums over its counted reviews, Redis the row.
  void ExpectInvariants(const std::string& asin) {
    auto sums = ledger_->CountedSums({asin});
    ASSERT_TRUE(sums.ok()) << sums.status();
    const review::RatingAggregate counted =
        sums->empty() ? review::RatingAggregate{.asin = asin} : sums->front();
    const review::RatingAggregate row = Row(asin);
    EXPECT_TRUE(row.SameCounts(counted)) << asin << ": product_ratings differs from the ledger";
    auto cached = cache_->Get(asin);
    ASSERT_TRUE(cached.ok() && cached->has_value()) << asin << ": rating hash missing";
    EXPECT_TRUE((*cached)->SameCounts(row)) << asin << ": Redis differs from product_ratings";
    EXPECT_EQ((*cached)->version, row.version) << asin;
  }

  reviewdb::testing::ScratchDatabase database_{"candor_reconcile_test_"};
};

TEST_F(ReconcilerStoreTest, AgreeingCopiesAreNoDrift) {
  Product({5, 4});
  Product({1});
  Product({3, 3, 2});
  // A row whose changes netted to nothing is at version 0 and was never published: not drift.
  reviewdb::testing::PutRating(*pool_, {.asin = testing::UniqueAsin()});

  RatingReconciler reconciler = Reconciler();
  ReconcileReport report = Check(reconciler);
  EXPECT_TRUE(report.clean()) << DescribeReport(report, 10);
  EXPECT_EQ(report.products, 4);
  EXPECT_EQ(report.candidates, 0);
  EXPECT_TRUE(absl::StrContains(DescribeReport(report, 10), "drift: 0 "))
      << DescribeReport(report, 10);
}

TEST_F(ReconcilerStoreTest, FindsEveryKindOfDriftAndRepairsIt) {
  const std::string fine = Product({4, 4});

  // I2: the row says 3 reviews, the ledger counts 2.
  const std::string ledger = Product({5, 2});
  review::RatingAggregate wrong = Row(ledger);
  wrong.Apply(1, false, +1);
  reviewdb::testing::PutRating(*pool_, wrong);

  // I2: counted reviews, the row deleted.
  const std::string unrated = Product({3});
  reviewdb::testing::DeleteRating(*pool_, unrated);

  // I3: the hash gone, the hash an older version, the hash other values at the row's version,
  // the hash ahead of the row, the hash unreadable.
  const std::string missing = Product({2});
  ASSERT_TRUE(cache_->Drop(missing).ok());
  const std::string behind = Product({5});
  review::RatingAggregate old = Row(behind);
  ASSERT_TRUE(aggregator_
                  ->Apply({{reviewdb::testing::InsertReview(*pool_, {.asin = behind, .rating = 1}),
                            behind, LedgerEvent::Kind::kCount}})
                  .ok());
  SetCache(old);  // version 1 while the row is at 2
  const std::string differs = Product({4});
  review::RatingAggregate other = Row(differs);
  other.Apply(5, true, +1);
  SetCache(other);
  const std::string ahead = Product({3, 4});
  review::RatingAggregate future = Row(ahead);
  future.version += 5;
  SetCache(future);
  const std::string garbled = Product({1, 2});
  ASSERT_TRUE(redis_->Command({"HSET", ratings::RedisRatingCache::Key(garbled), "sum", "x"}).ok());

  RatingReconciler reconciler = Reconciler();
  ReconcileReport report = Check(reconciler);
  std::map<std::string, DriftKind> kinds;
  for (const Drift& d : report.drifts) kinds[d.asin] = d.kind;
  const std::map<std::string, DriftKind> want = {
      {ledger, DriftKind::kLedger},        {unrated, DriftKind::kUnrated},
      {missing, DriftKind::kCacheMissing}, {behind, DriftKind::kCacheBehind},
      {differs, DriftKind::kCacheWrong},   {ahead, DriftKind::kCacheWrong},
      {garbled, DriftKind::kCacheWrong}};
  EXPECT_EQ(kinds, want) << DescribeReport(report, 20);
  const std::string text = DescribeReport(report, 20);
  EXPECT_TRUE(absl::StrContains(
      text,
      "drift: 7 (ledger 1, unrated 1, cache-missing 1, cache-behind 1, cache-wrong 3) over 7 "
      "products"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, ledger + " ledger: product_ratings count=3")) << text;
  EXPECT_TRUE(absl::StrContains(text, garbled + " cache-wrong: cache unreadable")) << text;
  EXPECT_TRUE(absl::StrContains(DescribeReport(report, 2), "... and 5 more")) << text;

  auto repaired = reconciler.Repair(report);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_EQ(*repaired, 7);
  ReconcileReport after = Check(reconciler);
  EXPECT_TRUE(after.clean()) << DescribeReport(after, 20);
  EXPECT_EQ(after.products, 8);  // the unrated product has its row again
  for (const std::string& asin :
       {fine, ledger, unrated, missing, behind, differs, ahead, garbled}) {
    ExpectInvariants(asin);
  }
  EXPECT_EQ(Row(ledger).count, 2);
  EXPECT_GT(Row(ahead).version, future.version);  // past the cache's own version
}

TEST_F(ReconcilerStoreTest, ADifferenceThatClosesBeforeTheRecheckIsNotDrift) {
  const std::string in_flight = Product({4});
  const std::string lost = Product({2});
  ASSERT_TRUE(cache_->Drop(in_flight).ok());
  ASSERT_TRUE(cache_->Drop(lost).ok());
  // The aggregator's write of in_flight lands while the reconciler waits.
  absl::Duration waited;
  RatingReconciler reconciler = Reconciler(absl::Milliseconds(50), [&](absl::Duration d) {
    waited = d;
    ASSERT_TRUE(cache_->Put(Row(in_flight)).ok());
  });
  ReconcileReport report = Check(reconciler);
  EXPECT_EQ(waited, absl::Milliseconds(50));
  EXPECT_EQ(report.candidates, 2);
  ASSERT_EQ(report.drifts.size(), 1u) << DescribeReport(report, 10);
  EXPECT_EQ(report.drifts[0].asin, lost);
  EXPECT_EQ(report.drifts[0].kind, DriftKind::kCacheMissing);
}

// The command as an operator runs it: exit 1 and the drift on stdout; --repair exits 0 once it
// is gone; --check then exits 0.
TEST_F(ReconcilerStoreTest, CheckAndRepairCommands) {
  const std::string asin = Product({5, 1});
  ASSERT_TRUE(cache_->Drop(asin).ok());
  Config config;
  config.service.pg_dsn = database_.dsn();
  config.service.redis_addr = testing::RedisAddr();
  config.reconcile.settle_ms = 10;
  EXPECT_EQ(RunCommand(config), -1);  // neither: run the service

  config.reconcile.check = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 1);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(absl::StrContains(out, asin + " cache-missing")) << out;
  EXPECT_TRUE(absl::StrContains(out, "drift: 1 ")) << out;

  config.reconcile.check = false;
  config.reconcile.repair = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(absl::StrContains(out, "repaired 1 products")) << out;
  EXPECT_TRUE(absl::StrContains(out, "drift: 0 ")) << out;
  ExpectInvariants(asin);

  config.reconcile.repair = false;
  config.reconcile.check = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(absl::StrContains(out,
                                "drift: 0 (ledger 0, unrated 0, cache-missing 0, "
                                "cache-behind 0, cache-wrong 0) over 1 products"))
      << out;
}

TEST_F(ReconcilerStoreTest, CheckAndRepairAreExclusive) {
  Config config;
  config.reconcile.check = true;
  config.reconcile.repair = true;
  absl::Status s = ValidateConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "--check and --repair")) << s;
}

}  // namespace
}  // namespace candor::rating_aggregator
