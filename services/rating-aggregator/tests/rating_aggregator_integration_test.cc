// The real App in-process: librdkafka's mock cluster for Kafka, the stack's Postgres and Redis.
#include <atomic>
#include <thread>

#include "candor/review/v1/events.pb.h"
#include "gtest/gtest.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "libs/testing/stack_env.h"
#include "services/rating-aggregator/app.h"

namespace candor::rating_aggregator {
namespace {

using candor::review::v1::ReviewEvent;

class RatingAggregatorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.CreateTopic("review-events", 1);
    cluster_.CreateTopic("review-events.dlq", 1);
    auto producer = kafka::Producer::Create({cluster_.bootstrap(), "test", {}}, absl::Seconds(5));
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
    auto pool = pg::Pool::Create(testing::PgDsn(), 1);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    auto redis = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
  }

  std::string AddReview(int rating, bool verified, const std::string& status) {
    const std::string user = testing::UniqueUser();
    const std::string fp = review::Fingerprint(asin_, user, "text");
    const std::string id = review::ReviewIdFromFingerprint(fp);
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      tx.exec_params(
                          "INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, "
                          "body, verified_purchase, status, submitted_at) "
                          "VALUES ($1, $2, $3, $4, $5, 'text', $6, $7, now())",
                          id, fp, asin_, user, rating, verified, status);
                    })
                    .ok());
    return id;
  }

  // Stops and joins the App even when an assertion ended the test early.
  void TearDown() override {
    stop_ = true;
    if (runner_.joinable()) runner_.join();
  }

  // Runs the real app on a thread until TearDown or StopApp.
  void StartApp(const Config& config) {
    auto app = CreateApp(config);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    runner_ = std::thread([this] { run_status_ = app_->Run([this] { return stop_.load(); }); });
  }

  absl::Status StopApp() {
    stop_ = true;
    if (runner_.joinable()) runner_.join();
    return run_status_;
  }

  void Produce(const std::string& value) {
    ASSERT_TRUE(producer_->ProduceSync("review-events", asin_, value, absl::Seconds(5)).ok());
  }

  std::string Accepted(const std::string& id, int rating) {
    ReviewEvent e;
    e.set_review_id(id);
    e.set_asin(asin_);
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    e.mutable_accepted()->set_rating(rating);
    return e.SerializeAsString();
  }

  std::string Removed(const std::string& id) {
    ReviewEvent e;
    e.set_review_id(id);
    e.set_asin(asin_);
    e.mutable_removed()->set_reason_code("spam");
    return e.SerializeAsString();
  }

  std::optional<review::RatingAggregate> Stored() {
    ratings::PgRatingStore store(*pool_);
    auto got = store.Get(asin_);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  // Waits until product_ratings holds `count` reviews and Redis has caught up with it.
  bool WaitForCount(int64_t count) {
    ratings::RedisRatingCache cache(*redis_);
    for (absl::Time deadline = absl::Now() + absl::Seconds(20); absl::Now() < deadline;) {
      auto stored = Stored();
      auto cached = cache.Get(asin_);
      if (stored && stored->count == count && cached.ok() && cached->has_value() &&
          (*cached)->version == stored->version) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  kafka::MockCluster cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<service::ConsumerApp> app_;
  std::atomic<bool> stop_{false};
  absl::Status run_status_ = absl::UnknownError("not run");
  std::thread runner_;
  std::string asin_ = testing::UniqueAsin();
};

TEST_F(RatingAggregatorIntegrationTest, AggregatesDeadLettersAndMovesOn) {
  Config config;
  config.consumer.kafka_brokers = cluster_.bootstrap();
  config.consumer.pg_dsn = testing::PgDsn();
  config.consumer.redis_addr = testing::RedisAddr();
  config.consumer.group = testing::UniqueUser("rating-aggregator-test-");
  config.consumer.stats_interval_s = 1;
  ASSERT_NO_FATAL_FAILURE(StartApp(config));

  const std::string r1 = AddReview(5, true, "active");
  const std::string r2 = AddReview(2, false, "active");
  const std::string r3 = AddReview(4, true, "active");
  const std::string queued = AddReview(1, false, "pending");

  // Valid events, a duplicate, an event for a review that does not count, two poison messages,
  // and a valid event behind them on the same partition.
  Produce(Accepted(r1, 5));
  Produce(Accepted(r2, 2));
  Produce(Accepted(r1, 5));
  Produce(Accepted(queued, 1));
  Produce("this is not a protobuf");
  ReviewEvent empty;  // no oneof case set
  empty.set_review_id(r3);
  empty.set_asin(asin_);
  Produce(empty.SerializeAsString());
  Produce(Accepted(r3, 4));
  ASSERT_TRUE(WaitForCount(3)) << "the partition did not move on";
  auto p = Stored();
  EXPECT_EQ(p->sum, 11);
  EXPECT_EQ(p->verified_count, 2);
  EXPECT_EQ(p->verified_sum, 9);
  EXPECT_EQ(p->stars, (std::array<int64_t, 5>{0, 1, 0, 1, 1}));

  // Moderation removes r2 (status first, then the event); a redelivered Accepted follows.
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec_params("UPDATE reviews SET status = 'removed' WHERE review_id = $1",
                                   r2);
                  })
                  .ok());
  const int64_t version_before = Stored()->version;
  Produce(Removed(r2));
  Produce(Accepted(r2, 2));
  ASSERT_TRUE(WaitForCount(2));
  p = Stored();
  EXPECT_EQ(p->sum, 9);
  EXPECT_EQ(p->stars, (std::array<int64_t, 5>{0, 0, 0, 1, 1}));
  EXPECT_EQ(p->version, version_before + 1);
  ratings::RedisRatingCache cache(*redis_);
  auto cached = cache.Get(asin_);
  ASSERT_TRUE(cached.ok() && cached->has_value());
  EXPECT_TRUE((*cached)->SameCounts(*p));
  EXPECT_EQ((*cached)->version, p->version);

  // Both poison messages are on the dead-letter topic, bytes intact.
  auto reader = kafka::Consumer::Create({cluster_.bootstrap(), "test", {}},
                                        testing::UniqueUser("dlq-reader-"), {"review-events.dlq"});
  ASSERT_TRUE(reader.ok());
  std::vector<kafka::Message> dead;
  for (absl::Time deadline = absl::Now() + absl::Seconds(20);
       dead.size() < 2 && absl::Now() < deadline;) {
    auto batch = (*reader)->PollBatch(10, absl::Milliseconds(200));
    ASSERT_TRUE(batch.ok());
    for (auto& m : *batch) dead.push_back(std::move(m));
  }
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "this is not a protobuf");
  EXPECT_EQ(dead[1].value, empty.SerializeAsString());
  EXPECT_EQ(dead[0].key, asin_);

  absl::Status run_status = StopApp();
  EXPECT_TRUE(run_status.ok()) << run_status;
}

TEST_F(RatingAggregatorIntegrationTest, StartupFailsFastWhenAStoreIsUnreachable) {
  Config config;
  config.consumer.kafka_brokers = cluster_.bootstrap();
  config.consumer.pg_dsn = testing::PgDsn();
  config.consumer.redis_addr = "127.0.0.1:1";
  config.consumer.redis_timeout_ms = 200;
  EXPECT_EQ(CreateApp(config).status().code(), absl::StatusCode::kUnavailable);
  config.consumer.redis_addr = testing::RedisAddr();
  config.consumer.pg_dsn = "postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1";
  EXPECT_EQ(CreateApp(config).status().code(), absl::StatusCode::kUnavailable);
  config.consumer.pg_dsn = testing::PgDsn();
  config.consumer.kafka_brokers = "127.0.0.1:1";
  config.consumer.startup_timeout_ms = 500;
  EXPECT_EQ(CreateApp(config).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::rating_aggregator
