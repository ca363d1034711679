// ServiceApp with the shapes the coming services have, on librdkafka's mock cluster and the
// stack's Postgres: one loop consuming two topics and a second loop of its own group (as
// helpfulness-ranker), no Redis (as index-writer), and a component beside the loops (as reco-api's
// gRPC server or rating-aggregator's healer).
#include "libs/service/service_app.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/admin_testing.h"
#include "libs/metrics/prometheus_registry.h"
#include "libs/pg/pg_pool.h"
#include "libs/service/component.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"

namespace candor::service {
namespace {

// What happened in a test App, in order, readable by the test after the App stopped.
struct Journal {
  void Add(const std::string& event) {
    std::lock_guard lock(mu);
    events.push_back(event);
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mu);
    return events;
  }
  bool Has(const std::string& event) {
    std::lock_guard lock(mu);
    return std::find(events.begin(), events.end(), event) != events.end();
  }
  std::mutex mu;
  std::vector<std::string> events;
};

// Stores every message of a batch as a row of service_app_test_handled in one transaction;
// a message whose value is "poison" is reported as poison instead. Notes in the journal when it
// is handed a batch before the components started.
class RecordingHandler final : public kafka::BatchHandler {
 public:
  RecordingHandler(pg::Pool& pg, std::string run, Journal& journal)
      : pg_(pg), run_(std::move(run)), journal_(journal) {}

  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override {
    if (!journal_.Has("start second")) journal_.Add("handled before the components started");
    return pg_.InTransaction([&](pqxx::work& tx) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].value == "poison") {
          poison->push_back({i, "test poison"});
          continue;
        }
        tx.exec_params(
            "INSERT INTO service_app_test_handled (run, topic, value) VALUES ($1, $2, $3)", run_,
            batch[i].topic, batch[i].value);
      }
    });
  }

 private:
  pg::Pool& pg_;
  std::string run_;
  Journal& journal_;
};

// A component that only notes its start and stop (or refuses to start).
class NotingComponent final : public Component {
 public:
  NotingComponent(std::string name, Journal& journal, bool fail = false)
      : name_(std::move(name)), journal_(journal), fail_(fail) {}
  std::string name() const override { return name_; }
  absl::Status Start() override {
    if (fail_) return absl::UnavailableError("port taken");
    journal_.Add("start " + name_);
    return absl::OkStatus();
  }
  void PrepareStop() override { journal_.Add("prepare " + name_); }
  void Stop() override { journal_.Add("stop " + name_); }
  std::string StatsLine() const override { return "noted=1"; }

 private:
  std::string name_;
  Journal& journal_;
  bool fail_;
};

struct TestConfig {
  ServiceConfig service;
  ConsumerConfig pair = {.input_topic = "alpha,beta", .max_batch = 10};  // two topics, one loop
  ConsumerConfig single = {.input_topic = "gamma"};
  std::string run = testing::UniqueUser("run-");
  bool with_loops = true;
  bool failing_component = false;
};

constexpr AdapterSet kTestAdapters = {.postgres = true};

class TestDomain final : public ServiceDomain {
 public:
  TestDomain(const TestConfig& config, const Adapters& adapters, Journal& journal)
      : config_(config),
        pair_(*adapters.pg, config.run, journal),
        single_(*adapters.pg, config.run, journal),
        first_("first", journal),
        second_("second", journal, config.failing_component) {}

  std::vector<ConsumerLoop> consumers() override {
    if (!config_.with_loops) return {};
    return {{.name = "pair", .config = config_.pair, .handler = &pair_},
            {.name = "single", .config = config_.single, .handler = &single_}};
  }
  std::vector<Component*> components() override { return {&first_, &second_}; }

 private:
  TestConfig config_;
  RecordingHandler pair_;
  RecordingHandler single_;
  NotingComponent first_;
  NotingComponent second_;
};

absl::StatusOr<std::unique_ptr<ServiceApp>> CreateTestApp(const TestConfig& config,
                                                          Journal& journal) {
  return ServiceApp::Create(config.service,
                            {.client_id = "candor-service-app-test", .adapters = kTestAdapters},
                            [&](const Adapters& adapters) {
                              return std::make_unique<TestDomain>(config, adapters, journal);
                            });
}

class ServiceAppTest : public testing::ConsumerAppTest {
 protected:
  ServiceAppTest() : ConsumerAppTest({"alpha", "beta", "gamma"}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    ASSERT_TRUE(pool_
                    ->WithConnection([](pqxx::connection& c) {
                      pqxx::nontransaction tx(c);
                      tx.exec(
                          "CREATE TABLE IF NOT EXISTS service_app_test_handled "
                          "(run text NOT NULL, topic text NOT NULL, value text NOT NULL)");
                    })
                    .ok());
    UseStack(&config_.service);
    // Redis is not an adapter of this service: an address nothing listens on must not matter.
    config_.service.redis_addr = "127.0.0.1:1";
    UseFreshGroup(&config_.pair, "service-app-pair-");
    UseFreshGroup(&config_.single, "service-app-single-");
  }

  // How often `value` from `topic` was handled in this test.
  int64_t Handled(const std::string& topic, const std::string& value) {
    int64_t n = -1;
    EXPECT_TRUE(pool_
                    ->WithConnection([&](pqxx::connection& c) {
                      pqxx::nontransaction tx(c);
                      n = tx.exec_params1(
                                "SELECT count(*) FROM service_app_test_handled "
                                "WHERE run = $1 AND topic = $2 AND value = $3",
                                config_.run, topic, value)[0]
                              .as<int64_t>();
                    })
                    .ok());
    return n;
  }

  bool WaitHandled(const std::string& topic, const std::string& value) {
    return testing::WaitUntil([&] { return Handled(topic, value) >= 1; });
  }

  // Produces "<t><n>" to each topic t of alpha, beta and gamma and waits until each is handled.
  void ProduceToEachAndWait(const std::string& n) {
    for (const char* topic : {"alpha", "beta", "gamma"}) {
      ProduceTo(topic, "k", topic[0] + n);
    }
    for (const char* topic : {"alpha", "beta", "gamma"}) {
      ASSERT_TRUE(WaitHandled(topic, topic[0] + n)) << topic;
    }
  }

  // Components start in order before anything is consumed, are told in reverse when shutdown
  // begins and stop in reverse after the loops.
  void ExpectComponentsStartedAndStoppedInOrder() {
    EXPECT_EQ(journal_.Events(),
              (std::vector<std::string>{"start first", "start second", "prepare second",
                                        "prepare first", "stop second", "stop first"}));
  }

  TestConfig config_;
  Journal journal_;
};

TEST_F(ServiceAppTest, TwoTopicsInOneLoopASecondLoopNoRedisAndComponentsAround) {
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateTestApp(config_, journal_)));
  ProduceTo("beta", "k", "poison");
  ASSERT_NO_FATAL_FAILURE(ProduceToEachAndWait("1"));
  // Each loop dead-letters to the .dlq of the topic the message came from.
  std::vector<kafka::Message> dead = ReadTopic("beta.dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, "poison");
  EXPECT_EQ(testing::HeaderOf(dead[0], "dlq-reason"), "test poison");
  ExpectCleanStop();
  ExpectComponentsStartedAndStoppedInOrder();

  // The offsets were committed: a second App in the same groups gets only what came after.
  // Redelivered messages would come before the new ones on their partitions.
  journal_.events.clear();  // no App runs: no other thread uses it
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateTestApp(config_, journal_)));
  ASSERT_NO_FATAL_FAILURE(ProduceToEachAndWait("2"));
  EXPECT_EQ(Handled("alpha", "a1"), 1);
  EXPECT_EQ(Handled("beta", "b1"), 1);
  EXPECT_EQ(Handled("gamma", "g1"), 1);
  ExpectCleanStop();
  ExpectComponentsStartedAndStoppedInOrder();
}

// The admin port: alive and not ready while starting, ready while consuming, and /metrics with
// each loop's counts and lag by group and topic.
TEST_F(ServiceAppTest, AdminPortServesHealthReadinessAndLoopMetrics) {
  absl::StatusOr<std::unique_ptr<ServiceApp>> created = CreateTestApp(config_, journal_);
  ASSERT_TRUE(created.ok()) << created.status();
  const int port = (*created)->admin_port();
  ASSERT_GT(port, 0);  // config_.service.admin_port is 0: a free one
  EXPECT_EQ(metrics::testing::HttpGet(port, "/healthz").status, 200);
  const metrics::testing::HttpReply starting = metrics::testing::HttpGet(port, "/readyz");
  EXPECT_EQ(starting.status, 503);
  EXPECT_EQ(starting.body.rfind("not ready: starting", 0), 0u) << starting.body;

  ASSERT_NO_FATAL_FAILURE(StartApp(std::move(created)));
  ASSERT_TRUE(
      testing::WaitUntil([&] { return metrics::testing::HttpGet(port, "/readyz").status == 200; }));
  ProduceTo("beta", "k", "poison");
  ASSERT_NO_FATAL_FAILURE(ProduceToEachAndWait("1"));
  const std::string pair = config_.pair.group;
  const std::string single = config_.single.group;
  // Counted after the commit, and the lag after the next polls: wait for both.
  auto exposition = [&] { return metrics::testing::HttpGet(port, "/metrics").body; };
  auto has = [&](const std::string& line) {
    return testing::WaitUntil(
        [&] { return exposition().find("\n" + line + "\n") != std::string::npos; });
  };
  EXPECT_TRUE(has("candor_kafka_consumer_messages_total{group=\"" + pair + "\"} 3"))
      << exposition();
  EXPECT_TRUE(has("candor_kafka_consumer_messages_total{group=\"" + single + "\"} 1"));
  EXPECT_TRUE(
      has("candor_kafka_consumer_dead_letters_total{group=\"" + pair + "\",reason=\"poison\"} 1"));
  EXPECT_TRUE(has("candor_kafka_consumer_lag_messages{group=\"" + pair + "\",topic=\"beta\"} 0"));
  EXPECT_TRUE(
      has("candor_kafka_consumer_lag_messages{group=\"" + single + "\",topic=\"gamma\"} 0"));
  const std::string text = exposition();
  EXPECT_NE(text.find("candor_kafka_consumer_batch_apply_seconds_count{group=\"" + pair + "\"}"),
            std::string::npos);
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos);
  ExpectCleanStop();
}

// A process of components only (a gRPC service without consumers) needs no Kafka and runs until
// told to stop.
TEST_F(ServiceAppTest, AnAppOfComponentsOnlyRunsUntilStopped) {
  config_.with_loops = false;
  config_.service.kafka_brokers = "127.0.0.1:1";
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateTestApp(config_, journal_)));
  ASSERT_TRUE(testing::WaitUntil([&] { return journal_.Events().size() == 2; }));
  ExpectCleanStop();
  ExpectComponentsStartedAndStoppedInOrder();
}

TEST_F(ServiceAppTest, AComponentThatCannotStartFailsRunAndStopsThoseBeforeIt) {
  config_.failing_component = true;
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateTestApp(config_, journal_)));
  ProduceTo("alpha", "k", "a1");
  EXPECT_EQ(StopApp().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(journal_.Events(),
            (std::vector<std::string>{"start first", "prepare first", "stop first"}));
  EXPECT_EQ(Handled("alpha", "a1"), 0);
}

TEST_F(ServiceAppTest, StartupFailsFastOnlyForTheAdaptersItUses) {
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(
      config_, [&](const TestConfig& c) { return CreateTestApp(c, journal_); }, kTestAdapters);
}

TEST_F(ServiceAppTest, ALoopWithoutTopicsIsRefused) {
  config_.single.input_topic = " ";
  EXPECT_EQ(CreateTestApp(config_, journal_).status().message(),
            "--single-input-topic: must not be empty");
}

}  // namespace
}  // namespace candor::service
