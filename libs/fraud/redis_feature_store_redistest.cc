// RedisFeatureStore against the stack's Redis (CTest fixture `stack`), held equal to
// MemoryFeatureStore on the same random stream, and against private Redis servers that stop or
// freeze.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/clock.h"
#include "libs/fraud/feature_stream_testing.h"
#include "libs/fraud/features_testing.h"
#include "libs/fraud/memory_feature_store.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/testing/assign.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/stack_env.h"

namespace candor::fraud {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

using testing::Review;

// Where a product's sorted set divides review times from new-account entries.
constexpr char kSplit[] = "2251799813685248";

// The length of the msgpack array `blob` (the author's entry: 6 counters, then pairs).
std::size_t MsgpackArrayLength(const std::string& blob) {
  const auto b = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<uint8_t>(blob[i]));
  };
  if (blob.empty()) return 0;
  if (b(0) >= 0x90 && b(0) <= 0x9f) return b(0) - 0x90;
  if (b(0) == 0xdc) return (b(1) << 8) | b(2);
  if (b(0) == 0xdd) return (b(1) << 24) | (b(2) << 16) | (b(3) << 8) | b(4);
  ADD_FAILURE() << "not a msgpack array";
  return 0;
}

class RedisFeatureStoreTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_TRUE(candor::testing::Assign(
        &client_, redis::Client::Connect(candor::testing::RedisAddr(), 2, absl::Seconds(10))));
    prefix_ = absl::StrCat("frt:", candor::testing::UniqueUser("t"), ":");
  }

  void TearDown() override {
    if (client_ == nullptr) return;
    for (const std::string& key : Keys()) {
      client_->Command({"UNLINK", key}).IgnoreError();
    }
  }

  std::unique_ptr<RedisFeatureStore> Store(FeatureStoreLimits limits = {}) {
    return std::make_unique<RedisFeatureStore>(*client_, clock_, limits, prefix_);
  }

  // Every key of this test's store.
  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      absl::StatusOr<redis::Reply> r =
          client_->Command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) break;
      cursor = r->elements[0].str;
      for (const redis::Reply& k : r->elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    return keys;
  }

  int64_t Integer(const std::vector<std::string_view>& command) {
    absl::StatusOr<redis::Reply> r = client_->Command(command);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->integer : -1;
  }

  std::string Type(const std::string& key) {
    absl::StatusOr<redis::Reply> r = client_->Command({"TYPE", key});
    return r.ok() ? r->str : "";
  }

  std::unique_ptr<redis::Client> client_;
  core::ManualClock clock_{kT0};
  std::string prefix_;
};

// The same stream through both stores: equal rows, review by review, and equal state.
void ExpectSameAsMemory(RedisFeatureStoreTest& t, RedisFeatureStore& redis_store,
                        const FeatureStoreLimits& limits, const stream::StreamOptions& o) {
  MemoryFeatureStore memory(limits);
  const std::optional<std::vector<FeatureRow>> rows =
      stream::ExpectSameRows(redis_store, memory, o);
  ASSERT_TRUE(rows.has_value());
  const int n = static_cast<int>(rows->size());
  int near_dups = 0;
  int shared = 0;
  for (const FeatureRow& row : *rows) {
    near_dups += At(row.values, Feature::kNearDupAccounts) > 0 ? 1 : 0;
    shared += At(row.values, Feature::kSharedIpRejected) > 0 ? 1 : 0;
  }
  EXPECT_EQ(redis_store.queued_marks(), 0u);
  EXPECT_EQ(redis_store.failed_marks(), 0);
  // The stream exercised what it is meant to.
  EXPECT_GT(near_dups, n / 20) << "near-duplicates";
  EXPECT_GT(shared, n / 20) << "shared addresses";

  // Equal state: entries per window, signature records, marks.
  const MemoryFeatureStore::Size want = memory.size();
  MemoryFeatureStore::Size got;
  for (const std::string& key : t.Keys()) {
    const std::string type = t.Type(key);
    if (key.find(":u:{") != std::string::npos) {
      absl::StatusOr<redis::Reply> blob = t.client_->Command({"GET", key});
      ASSERT_TRUE(blob.ok());
      got.author_reviews += (MsgpackArrayLength(blob->str) - 6) / 2;
    } else if (key.ends_with(":r")) {
      // Times below 2^51, new-account entries at 2^52 + time.
      got.product_reviews += static_cast<std::size_t>(t.Integer({"ZCOUNT", key, "-inf", kSplit}));
      got.new_account_reviews +=
          static_cast<std::size_t>(t.Integer({"ZCOUNT", key, kSplit, "+inf"}));
    } else if (key.ends_with(":t")) {
      absl::StatusOr<redis::Reply> fields = t.client_->Command({"HKEYS", key});
      ASSERT_TRUE(fields.ok());
      for (const redis::Reply& f : fields->elements) got.signatures += f.str[0] == 'r' ? 1 : 0;
    } else if (type == "zset") {
      got.rejected_accounts += static_cast<std::size_t>(t.Integer({"ZCARD", key}));
    }
  }
  EXPECT_EQ(got.author_reviews, want.author_reviews);
  EXPECT_EQ(got.product_reviews, want.product_reviews);
  EXPECT_EQ(got.new_account_reviews, want.new_account_reviews);
  EXPECT_EQ(got.signatures, want.signatures);
  EXPECT_EQ(got.rejected_accounts, want.rejected_accounts);
}

TEST_F(RedisFeatureStoreTest, SameRowsAsTheMemoryStoreOnTheSameStream) {
  stream::StreamOptions o;
  o.reviews = 3000;
  auto store = Store();
  ExpectSameAsMemory(*this, *store, {}, o);
}

TEST_F(RedisFeatureStoreTest, SameRowsAsTheMemoryStoreWhenEveryCapBites) {
  FeatureStoreLimits tight;
  tight.user_reviews = 6;
  tight.product_reviews = 40;
  tight.product_signatures = 7;
  tight.near_dup_candidates = 4;
  tight.rejected_accounts = 3;
  stream::StreamOptions o;
  o.reviews = 3000;
  o.seed = 7;
  o.mean_gap = absl::Minutes(30);  // 60 days: the 30 d trimming runs too
  auto store = Store(tight);
  ExpectSameAsMemory(*this, *store, tight, o);
  // What the caps promise, key by key.
  for (const std::string& key : Keys()) {
    const std::string type = Type(key);
    if (key.ends_with(":t")) {
      absl::StatusOr<redis::Reply> fields = client_->Command({"HKEYS", key});
      ASSERT_TRUE(fields.ok());
      int records = 0;
      for (const redis::Reply& f : fields->elements) records += f.str[0] == 'r' ? 1 : 0;
      EXPECT_LE(records, tight.product_signatures) << key;
      EXPECT_EQ(fields->elements.size(), static_cast<std::size_t>(records)) << key;
    } else if (key.ends_with(":i")) {
      // The index: 16 band keys of 8 bytes per slot, for at most product_signatures slots.
      EXPECT_LE(Integer({"STRLEN", key}), tight.product_signatures * kLshBands * 8) << key;
    } else if (key.find(":u:{") != std::string::npos) {
      absl::StatusOr<redis::Reply> blob = client_->Command({"GET", key});
      ASSERT_TRUE(blob.ok());
      EXPECT_LE((MsgpackArrayLength(blob->str) - 6) / 2,
                static_cast<std::size_t>(tight.user_reviews))
          << key;
    } else if (type == "zset") {
      // Product windows are trimmed on every kTrimEvery-th review of the product.
      if (key.find(":p:{") != std::string::npos) {
        EXPECT_LE(Integer({"ZCOUNT", key, "-inf", kSplit}), tight.product_reviews + kTrimEvery - 1)
            << key;
        EXPECT_LE(Integer({"ZCOUNT", key, kSplit, "+inf"}), tight.product_reviews + kTrimEvery - 1)
            << key;
      } else {
        EXPECT_LE(Integer({"ZCARD", key}), tight.rejected_accounts) << key;
      }
    }
  }
}

// Batches of up to 700: several script calls in one pipeline (RedisFeatureStore::kMaxReviewsPerCall
// reviews each), an author's reviews in more than one call of the same batch.
TEST_F(RedisFeatureStoreTest, SameRowsAsTheMemoryStoreInBatchesOfSeveralScriptCalls) {
  stream::StreamOptions o;
  o.reviews = 4000;
  o.max_batch = 700;
  o.seed = 11;
  static_assert(RedisFeatureStore::kMaxReviewsPerCall < 700);
  auto store = Store();
  ExpectSameAsMemory(*this, *store, {}, o);
}

TEST_F(RedisFeatureStoreTest, AWindowKeyMadeAgainGetsItsTtlAtOnce) {
  auto store = Store();
  ASSERT_TRUE(store->RecordBatch({Review("a1", "ann", "P1", kT0)})[0].ok());
  // Gone behind the store's back (an eviction, an operator) within the hour in which the product's
  // windows are not refreshed: the next review makes them again, with a TTL.
  for (const std::string& key : {store->ProductReviewsKey("P1"), store->ProductTextKey("P1"),
                                 store->ProductIndexKey("P1")}) {
    ASSERT_EQ(Integer({"UNLINK", key}), 1) << key;
  }
  ASSERT_TRUE(store->RecordBatch({Review("b1", "bob", "P1", kT0 + absl::Minutes(1))})[0].ok());
  for (const std::string& key : {store->ProductReviewsKey("P1"), store->ProductTextKey("P1"),
                                 store->ProductIndexKey("P1")}) {
    EXPECT_GT(Integer({"PTTL", key}), 0) << key;
  }
}

TEST_F(RedisFeatureStoreTest, EveryKeyHasATtl) {
  auto store = Store();
  stream::StreamOptions o;
  o.reviews = 500;
  for (const stream::StreamStep& step : stream::RandomStream(o)) {
    store->MarkRejected(step.marks);
    for (const auto& row : store->RecordBatch(step.batch)) ASSERT_TRUE(row.ok()) << row.status();
  }
  const std::vector<std::string> keys = Keys();
  ASSERT_GT(keys.size(), 50u);
  const FeatureStoreLimits limits;
  for (const std::string& key : keys) {
    const int64_t ttl = Integer({"PTTL", key});
    EXPECT_GT(ttl, 0) << key;
    const bool counters = key.ends_with(":c") || key.find(":u:{") != std::string::npos;
    EXPECT_LE(ttl, absl::ToInt64Milliseconds(counters ? limits.counters_ttl
                                                      : limits.window_ttl +
                                                            RedisFeatureStore::kTtlRefresh))
        << key;
    if (!counters) {
      EXPECT_GT(ttl, absl::ToInt64Milliseconds(limits.window_ttl - absl::Hours(1))) << key;
    }
  }
}

TEST_F(RedisFeatureStoreTest, KeysCarryTheirOwnerAsAHashTag) {
  auto store = Store();
  EXPECT_EQ(store->AuthorKey("ann"), prefix_ + "u:{ann}");
  EXPECT_EQ(store->ProductReviewsKey("B000000001"), prefix_ + "p:{B000000001}:r");
  EXPECT_EQ(store->ProductCountersKey("B000000001"), prefix_ + "p:{B000000001}:c");
  EXPECT_EQ(store->ProductTextKey("B000000001"), prefix_ + "p:{B000000001}:t");
  EXPECT_EQ(store->ProductIndexKey("B000000001"), prefix_ + "p:{B000000001}:i");
  EXPECT_EQ(store->AddressKey("10.0.0.1"), prefix_ + "ip:{10.0.0.1}");
  EXPECT_EQ(store->DeviceKey("a}b"), prefix_ + "dev:{a%7Db}");
}

TEST_F(RedisFeatureStoreTest, AScriptErrorFailsItsReviewAlone) {
  auto store = Store();
  // The product's review window holds a string: the script's ZCOUNT fails for that review only.
  ASSERT_TRUE(client_->Command({"SET", store->ProductReviewsKey("PX"), "x", "EX", "60"}).ok());
  std::vector<absl::StatusOr<FeatureRow>> rows =
      store->RecordBatch({Review("a1", "ann", "P1", kT0), Review("b1", "bob", "PX", kT0),
                          Review("a2", "ann", "P1", kT0 + absl::Minutes(1))});
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_TRUE(rows[0].ok()) << rows[0].status();
  EXPECT_EQ(rows[1].status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(rows[1].status().message(), HasSubstr("WRONGTYPE"));
  ASSERT_TRUE(rows[2].ok()) << rows[2].status();
  EXPECT_EQ(At(rows[2]->values, Feature::kReviews24h), 2);
  // No cooldown for a script error: the next batch runs.
  EXPECT_TRUE(store->RecordBatch({Review("a3", "ann", "P1", kT0)})[0].ok());
}

TEST_F(RedisFeatureStoreTest, MarksTravelWithTheNextBatch) {
  auto store = Store();
  ReviewFacts bad = Review("x1", "mallory", "P1", kT0);
  bad.client_ip = "198.51.100.1";
  bad.device_id = "phone-1";
  ASSERT_TRUE(store->RecordBatch({bad})[0].ok());
  store->MarkRejected({bad});
  EXPECT_EQ(store->queued_marks(), 2u);
  // Author; product counters, reviews, signatures, signature index; no address or device set yet.
  EXPECT_EQ(Keys().size(), 5u) << "nothing sent before the next batch";
  // An empty batch carries them too.
  EXPECT_TRUE(store->RecordBatch({}).empty());
  EXPECT_EQ(store->queued_marks(), 0u);
  ReviewFacts other = Review("y1", "eve", "P2", kT0 + absl::Hours(1));
  other.client_ip = "198.51.100.1";
  other.device_id = "phone-1";
  absl::StatusOr<FeatureRow> row = store->RecordBatch({other})[0];
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(At(row->values, Feature::kSharedIpRejected), 1);
  EXPECT_EQ(At(row->values, Feature::kSharedDeviceRejected), 1);
}

// Private servers: one to stop, one to freeze.
class RedisFeatureStoreOutageTest : public ::testing::Test {
 protected:
  void Open(absl::Duration timeout) {
    ASSERT_TRUE(
        candor::testing::Assign(&client_, redis::Client::Connect(server_.address(), 1, timeout)));
    store_ = std::make_unique<RedisFeatureStore>(*client_, clock_, FeatureStoreLimits{},
                                                 "fr:", absl::Seconds(2));
  }

  candor::testing::RedisServer server_;
  core::ManualClock clock_{kT0};
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisFeatureStore> store_;
};

TEST_F(RedisFeatureStoreOutageTest, EveryReviewIsUnavailableWhenRedisIsGone) {
  ASSERT_NO_FATAL_FAILURE(Open(absl::Seconds(2)));
  ASSERT_TRUE(store_->RecordBatch({Review("a1", "ann", "P1", kT0)})[0].ok());
  server_.Kill();  // its port is now unused: connections are refused
  ReviewFacts bad = Review("x1", "mallory", "P1", kT0);
  bad.client_ip = "198.51.100.1";
  store_->MarkRejected({bad});
  std::vector<absl::StatusOr<FeatureRow>> rows =
      store_->RecordBatch({Review("a2", "ann", "P1", kT0), Review("b1", "bob", "P2", kT0)});
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.status().code(), absl::StatusCode::kUnavailable) << row.status();
  }
  EXPECT_EQ(store_->queued_marks(), 1u) << "marks wait for a batch that reaches Redis";
  // Within the cooldown: Unavailable without trying.
  rows = store_->RecordBatch({Review("a3", "ann", "P1", kT0)});
  EXPECT_EQ(rows[0].status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(rows[0].status().message(), HasSubstr("skipped"));
  // Back, and past the cooldown: the queued mark arrives first.
  server_.Restart();
  clock_.Advance(absl::Seconds(3));
  ReviewFacts other = Review("y1", "eve", "P2", kT0 + absl::Hours(1));
  other.client_ip = "198.51.100.1";
  rows = store_->RecordBatch({other});
  ASSERT_TRUE(rows[0].ok()) << rows[0].status();
  EXPECT_EQ(At(rows[0]->values, Feature::kSharedIpRejected), 1);
  EXPECT_EQ(store_->queued_marks(), 0u);
}

TEST_F(RedisFeatureStoreOutageTest, ATimeoutIsUnavailableForTheWholeBatch) {
  ASSERT_NO_FATAL_FAILURE(Open(absl::Milliseconds(300)));
  ASSERT_TRUE(store_->RecordBatch({Review("a1", "ann", "P1", kT0)})[0].ok());
  server_.Freeze();
  const absl::Time start = absl::Now();
  std::vector<absl::StatusOr<FeatureRow>> rows =
      store_->RecordBatch({Review("a2", "ann", "P1", kT0), Review("b1", "bob", "P2", kT0)});
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  for (const auto& row : rows) {
    EXPECT_EQ(row.status().code(), absl::StatusCode::kUnavailable) << row.status();
  }
  server_.Thaw();
}

}  // namespace
}  // namespace candor::fraud
