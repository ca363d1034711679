#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "libs/service/consumer_app.h"
#include "libs/service/consumer_config.h"

namespace candor::testing {

// Base fixture of a consumer service's integration test: the service's real ConsumerApp
// in-process against librdkafka's mock cluster for Kafka and the stack's Postgres and Redis
// (stack_env.h). Gives the test a producer, a Postgres pool and a Redis client of its own for
// what it writes and checks, and stops the App in TearDown even when an assertion ended the test
// early.
class ConsumerAppTest : public ::testing::Test {
 protected:
  // The mock cluster gets `input_topic`, its `.dlq` and `other_topics`, one partition each.
  explicit ConsumerAppTest(std::string input_topic, std::vector<std::string> other_topics = {});

  void SetUp() override;
  void TearDown() override;

  // Points `config` at the mock cluster and the stack, with a fresh consumer group
  // (`group_prefix` + random) and a stats line every second.
  void UseStack(service::ConsumerConfig* config, const std::string& group_prefix) const;

  // Runs `app` (what the service's CreateApp returned) on a thread until TearDown or StopApp.
  // Fails the test (fatally) when `app` is an error.
  void StartApp(absl::StatusOr<std::unique_ptr<service::ConsumerApp>> app);
  // Stops the App, waits for it and returns what its Run returned.
  absl::Status StopApp();

  // Produces `value` with `key` to the input topic and waits for the confirmation.
  void Produce(const std::string& key, const std::string& value);
  // Reads `topic` from the start (a group of its own) until `want` messages arrived or 20 s
  // passed.
  std::vector<kafka::Message> ReadTopic(const std::string& topic, size_t want);

  // Expects `create_app(config)` to fail fast with Unavailable when Redis, then Postgres, then
  // Kafka is unreachable, the others being the stack's. `Config` holds a ConsumerConfig as
  // `consumer`; the rest of it stays as given.
  template <typename Config, typename CreateApp>
  void ExpectStartupFailsFastWhenAStoreIsUnreachable(Config config, CreateApp create_app) {
    service::ConsumerConfig& c = config.consumer;
    UseStack(&c, "unreachable-");
    c.redis_addr = "127.0.0.1:1";
    c.redis_timeout_ms = 200;
    EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable);
    UseStack(&c, "unreachable-");
    c.pg_dsn = "postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1";
    EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable);
    UseStack(&c, "unreachable-");
    c.kafka_brokers = "127.0.0.1:1";
    c.startup_timeout_ms = 500;
    EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable);
  }

  kafka::MockCluster cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<redis::Client> redis_;

 private:
  std::string input_topic_;
  std::vector<std::string> other_topics_;
  std::unique_ptr<service::ConsumerApp> app_;
  std::atomic<bool> stop_{false};
  absl::Status run_status_ = absl::UnknownError("not run");
  std::thread runner_;
};

}  // namespace candor::testing
