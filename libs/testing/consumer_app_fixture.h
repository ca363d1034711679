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
#include "libs/service/service_app.h"
#include "libs/service/service_config.h"
#include "libs/testing/wait.h"

namespace candor::testing {

// The value of header `name` of `m`, or "<none>".
std::string HeaderOf(const kafka::Message& m, const std::string& name);

// Base fixture of a service's integration test: the service's real ServiceApp in-process against
// librdkafka's mock cluster for Kafka and the stack's Postgres and Redis (stack_env.h). Gives the
// test a producer, a Postgres pool and a Redis client of its own for what it writes and checks,
// and stops the App in TearDown even when an assertion ended the test early.
class ConsumerAppTest : public ::testing::Test {
 protected:
  // The mock cluster gets every input topic and its `.dlq`, and `other_topics` (what the service
  // publishes), one partition each. Produce(key, value) writes to the first input topic.
  explicit ConsumerAppTest(std::vector<std::string> input_topics,
                           std::vector<std::string> other_topics = {});

  void SetUp() override;
  void TearDown() override;

  // Points `config` at the mock cluster and the stack, with a stats line every second.
  void UseStack(service::ServiceConfig* config) const;
  // Gives `consumer` a fresh group (`group_prefix` + random), so no test sees another's offsets.
  static void UseFreshGroup(service::ConsumerConfig* consumer, const std::string& group_prefix);
  // Both for a Config with a ServiceConfig `service` and one ConsumerConfig `consumer`.
  template <typename Config>
  void UseStack(Config* config, const std::string& group_prefix) const {
    UseStack(&config->service);
    UseFreshGroup(&config->consumer, group_prefix);
  }

  // Runs `app` (what the service's CreateApp returned) on a thread until TearDown or StopApp.
  // Fails the test (fatally) when `app` is an error.
  void StartApp(absl::StatusOr<std::unique_ptr<service::ServiceApp>> app);
  // Stops the App, waits for it and returns what its Run returned.
  absl::Status StopApp();
  // StopApp, expecting a clean stop.
  void ExpectCleanStop();

  // Produces `value` with `key` to the first input topic (or `topic`) and waits for the
  // confirmation.
  void Produce(const std::string& key, const std::string& value);
  void ProduceTo(const std::string& topic, const std::string& key, const std::string& value);
  // Reads `topic` from the start (a group of its own) until `want` messages arrived or 20 s
  // passed.
  std::vector<kafka::Message> ReadTopic(const std::string& topic, size_t want);

  // Expects `create_app(config)` to fail fast with Unavailable when each adapter of `used` is
  // unreachable in turn (Redis, Postgres), then Kafka, the others being the stack's. `Config`
  // holds a ServiceConfig as `service`; the rest of it stays as given.
  template <typename Config, typename CreateApp>
  void ExpectStartupFailsFastWhenAnAdapterIsUnreachable(Config config, CreateApp create_app,
                                                        const service::AdapterSet& used) {
    service::ServiceConfig& c = config.service;
    if (used.redis) {
      UseStack(&c);
      c.redis_addr = "127.0.0.1:1";
      c.redis_timeout_ms = 200;
      EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable) << "redis";
    }
    if (used.postgres) {
      UseStack(&c);
      c.pg_dsn = "postgresql://postgres@127.0.0.1:1/candor?connect_timeout=1";
      EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable) << "postgres";
    }
    UseStack(&c);
    c.kafka_brokers = "127.0.0.1:1";
    c.startup_timeout_ms = 500;
    EXPECT_EQ(create_app(config).status().code(), absl::StatusCode::kUnavailable) << "kafka";
  }

  kafka::MockCluster cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<redis::Client> redis_;

 private:
  std::vector<std::string> input_topics_;
  std::vector<std::string> other_topics_;
  std::unique_ptr<service::ServiceApp> app_;
  std::atomic<bool> stop_{false};
  absl::Status run_status_ = absl::UnknownError("not run");
  std::thread runner_;
};

}  // namespace candor::testing
