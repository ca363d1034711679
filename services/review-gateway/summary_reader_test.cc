#include "services/review-gateway/summary_reader.h"

#include <deque>
#include <map>
#include <optional>

#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

// In-memory cache with the versioned Put of the Redis one. Get's callbacks are held until
// Deliver(), the way an I/O thread would answer later, so tests see what waits on what.
class FakeCache final : public ratings::AsyncRatingCache {
 public:
  void Get(const std::string& asin, GetCallback done) override {
    ++gets;
    absl::StatusOr<std::optional<review::RatingAggregate>> r = std::nullopt;
    if (down) {
      r = absl::UnavailableError("redis down");
    } else if (auto it = hashes.find(asin); it != hashes.end()) {
      r = it->second;
    }
    pending.push_back([r, done = std::move(done)] { done(r); });
  }
  void Put(const review::RatingAggregate& a, PutCallback done) override {
    ++puts;
    if (down || put_fails) {
      done(absl::UnavailableError("redis down"));
      return;
    }
    auto it = hashes.find(a.asin);
    if (it != hashes.end() && it->second.version >= a.version) {
      done(false);
      return;
    }
    hashes[a.asin] = a;
    done(true);
  }
  // Answers every held Get, as the I/O thread would.
  void Deliver() {
    while (!pending.empty()) {
      auto next = std::move(pending.front());
      pending.pop_front();
      next();
    }
  }
  std::map<std::string, review::RatingAggregate> hashes;
  std::deque<std::function<void()>> pending;
  bool down = false;
  bool put_fails = false;
  int gets = 0;
  int puts = 0;
};

class FakeStore final : public ratings::RatingStore {
 public:
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override {
    ++gets;
    if (down) return absl::UnavailableError("postgres down");
    if (auto it = rows.find(asin); it != rows.end()) return it->second;
    return std::nullopt;
  }
  std::map<std::string, review::RatingAggregate> rows;
  bool down = false;
  int gets = 0;
};

// Holds tasks until RunAll() (a fallback thread picking them up later); refuses beyond
// `capacity`.
class FakeExecutor final : public Executor {
 public:
  bool TrySubmit(std::function<void()> task) override {
    if (tasks.size() >= capacity) return false;
    tasks.push_back(std::move(task));
    return true;
  }
  void RunAll() {
    while (!tasks.empty()) {
      auto next = std::move(tasks.front());
      tasks.pop_front();
      next();
    }
  }
  size_t capacity = 16;
  std::deque<std::function<void()>> tasks;
};

review::RatingAggregate Aggregate(const std::string& asin, int64_t version) {
  review::RatingAggregate a;
  a.asin = asin;
  a.Apply(5, true, 1);
  a.Apply(4, false, 1);
  a.Apply(4, false, 1);
  a.version = version;
  return a;
}

class SummaryReaderTest : public ::testing::Test {
 protected:
  static constexpr char kAsin[] = "B00004Y2UT";

  // Starts a Read; the answer lands in result_ whenever the fakes let it.
  void StartRead(const std::string& asin = kAsin) {
    reader_.Read(asin, [this](absl::StatusOr<review::RatingAggregate> r) {
      ++answers_;
      result_ = std::move(r);
    });
  }
  // Starts a Read and lets the cache and the fallback run to the end.
  absl::StatusOr<review::RatingAggregate> ReadAll(const std::string& asin = kAsin) {
    StartRead(asin);
    cache_.Deliver();
    fallback_.RunAll();
    EXPECT_EQ(answers_, 1) << "done must run exactly once";
    return result_.value_or(absl::InternalError("no answer"));
  }

  FakeCache cache_;
  FakeStore store_;
  FakeExecutor fallback_;
  SummaryReader reader_{cache_, store_, fallback_};
  std::optional<absl::StatusOr<review::RatingAggregate>> result_;
  int answers_ = 0;
};

TEST_F(SummaryReaderTest, HitAnswersFromTheCacheCallbackWithoutTheFallback) {
  cache_.hashes[kAsin] = Aggregate(kAsin, 7);
  StartRead();
  EXPECT_EQ(answers_, 0) << "answered before the cache did";
  cache_.Deliver();
  ASSERT_EQ(answers_, 1);
  ASSERT_TRUE(result_->ok()) << result_->status();
  EXPECT_TRUE((*result_)->SameCounts(Aggregate(kAsin, 7)));
  EXPECT_EQ((*result_)->version, 7);
  EXPECT_TRUE(fallback_.tasks.empty());
  EXPECT_EQ(store_.gets, 0);
  EXPECT_EQ(cache_.puts, 0);
}

TEST_F(SummaryReaderTest, HitWithZeroCountIsNotFound) {
  review::RatingAggregate empty;
  empty.asin = kAsin;
  empty.version = 3;  // every review was removed
  cache_.hashes[kAsin] = empty;
  EXPECT_EQ(ReadAll().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.gets, 0);
}

TEST_F(SummaryReaderTest, MissReadsPostgresOnTheFallbackThenRepairs) {
  store_.rows[kAsin] = Aggregate(kAsin, 4);
  StartRead();
  cache_.Deliver();
  // The miss was handed to the fallback executor, not run on the cache's callback.
  EXPECT_EQ(store_.gets, 0);
  EXPECT_EQ(answers_, 0);
  ASSERT_EQ(fallback_.tasks.size(), 1u);
  fallback_.RunAll();
  ASSERT_EQ(answers_, 1);
  ASSERT_TRUE(result_->ok()) << result_->status();
  EXPECT_EQ((*result_)->version, 4);
  EXPECT_EQ((*result_)->count, 3);
  ASSERT_EQ(cache_.hashes.count(kAsin), 1u) << "cache was not repaired";
  EXPECT_EQ(cache_.hashes[kAsin].version, 4);
}

TEST_F(SummaryReaderTest, RepairNeverOverwritesANewerCacheValue) {
  store_.rows[kAsin] = Aggregate(kAsin, 4);
  StartRead();
  cache_.Deliver();  // a miss
  review::RatingAggregate newer = Aggregate(kAsin, 9);
  newer.Apply(1, false, 1);
  cache_.hashes[kAsin] = newer;  // the aggregator wrote meanwhile
  fallback_.RunAll();
  ASSERT_TRUE(result_->ok());
  EXPECT_EQ((*result_)->version, 4);  // this read answers what Postgres said
  EXPECT_EQ(cache_.hashes[kAsin].version, 9);
  EXPECT_TRUE(cache_.hashes[kAsin].SameCounts(newer));
}

TEST_F(SummaryReaderTest, FailedRepairStillAnswers) {
  store_.rows[kAsin] = Aggregate(kAsin, 4);
  cache_.put_fails = true;
  absl::StatusOr<review::RatingAggregate> r = ReadAll();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(cache_.puts, 1);
}

TEST_F(SummaryReaderTest, MissWithoutRowIsNotFoundAndRepairsNothing) {
  EXPECT_EQ(ReadAll().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.gets, 1);
  EXPECT_EQ(cache_.puts, 0);
}

TEST_F(SummaryReaderTest, RowWithZeroCountIsRepairedButNotFound) {
  review::RatingAggregate empty;
  empty.asin = kAsin;
  empty.version = 6;
  store_.rows[kAsin] = empty;
  EXPECT_EQ(ReadAll().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(cache_.hashes[kAsin].version, 6);  // the next read is a hit
}

TEST_F(SummaryReaderTest, CacheDownFallsBackWithoutRepair) {
  cache_.down = true;
  store_.rows[kAsin] = Aggregate(kAsin, 4);
  absl::StatusOr<review::RatingAggregate> r = ReadAll();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(store_.gets, 1);
  EXPECT_EQ(cache_.puts, 0) << "a down cache must not be waited on twice";
}

TEST_F(SummaryReaderTest, CacheDownAndNoRowIsNotFound) {
  cache_.down = true;
  EXPECT_EQ(ReadAll().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SummaryReaderTest, BothDownIsUnavailable) {
  cache_.down = true;
  store_.down = true;
  absl::Status s = ReadAll().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("postgres down"), std::string_view::npos) << s;
}

TEST_F(SummaryReaderTest, StoreDownOnAMissIsUnavailable) {
  store_.down = true;
  EXPECT_EQ(ReadAll().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache_.puts, 0);
}

TEST_F(SummaryReaderTest, InvalidAsinTouchesNothing) {
  absl::Status s = ReadAll("not-an-asin").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("asin"), std::string_view::npos) << s;
  EXPECT_EQ(cache_.gets, 0);
  EXPECT_EQ(store_.gets, 0);
}

TEST_F(SummaryReaderTest, FullFallbackQueueIsUnavailableAtOnce) {
  fallback_.capacity = 0;
  store_.rows[kAsin] = Aggregate(kAsin, 4);
  StartRead();
  cache_.Deliver();
  ASSERT_EQ(answers_, 1) << "a refused miss must be answered, not dropped";
  EXPECT_EQ(result_->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(result_->status().message().find("fallback queue is full"), std::string_view::npos)
      << result_->status();
  EXPECT_EQ(store_.gets, 0);
}

TEST_F(SummaryReaderTest, FullQueueDoesNotAffectHits) {
  fallback_.capacity = 0;
  cache_.hashes[kAsin] = Aggregate(kAsin, 2);
  EXPECT_TRUE(ReadAll().ok());
}

}  // namespace
}  // namespace candor::gateway
