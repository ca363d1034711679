#include "libs/testing/consumer_app_fixture.h"

#include <utility>

#include "libs/testing/stack_env.h"

namespace candor::testing {

std::string HeaderOf(const kafka::Message& m, const std::string& name) {
  for (const auto& [k, v] : m.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

ConsumerAppTest::ConsumerAppTest(std::vector<std::string> input_topics,
                                 std::vector<std::string> other_topics)
    : input_topics_(std::move(input_topics)), other_topics_(std::move(other_topics)) {}

void ConsumerAppTest::SetUp() {
  for (const std::string& topic : input_topics_) {
    cluster_.CreateTopic(topic, 1);
    cluster_.CreateTopic(topic + ".dlq", 1);
  }
  for (const std::string& topic : other_topics_) cluster_.CreateTopic(topic, 1);
  auto producer = kafka::Producer::Create({cluster_.bootstrap(), "test", {}}, absl::Seconds(5));
  ASSERT_TRUE(producer.ok()) << producer.status();
  producer_ = *std::move(producer);
  auto pool = pg::Pool::Create(PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  pool_ = *std::move(pool);
  auto redis = redis::Client::Connect(RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok()) << redis.status();
  redis_ = *std::move(redis);
}

void ConsumerAppTest::TearDown() {
  stop_ = true;
  if (runner_.joinable()) runner_.join();
}

void ConsumerAppTest::UseStack(service::ServiceConfig* config) const {
  config->kafka_brokers = cluster_.bootstrap();
  config->pg_dsn = PgDsn();
  config->redis_addr = RedisAddr();
  config->stats_interval_s = 1;
}

void ConsumerAppTest::UseFreshGroup(service::ConsumerConfig* consumer,
                                    const std::string& group_prefix) {
  consumer->group = UniqueUser(group_prefix);
}

void ConsumerAppTest::StartApp(absl::StatusOr<std::unique_ptr<service::ServiceApp>> app) {
  ASSERT_TRUE(app.ok()) << app.status();
  // A test may run a second App after stopping the first (a restart on the same group).
  ASSERT_FALSE(runner_.joinable()) << "StartApp while an App runs";
  stop_ = false;
  app_ = *std::move(app);
  runner_ = std::thread([this] { run_status_ = app_->Run([this] { return stop_.load(); }); });
}

absl::Status ConsumerAppTest::StopApp() {
  stop_ = true;
  if (runner_.joinable()) runner_.join();
  return run_status_;
}

void ConsumerAppTest::ExpectCleanStop() {
  absl::Status status = StopApp();
  EXPECT_TRUE(status.ok()) << status;
}

void ConsumerAppTest::Produce(const std::string& key, const std::string& value) {
  ProduceTo(input_topics_.front(), key, value);
}

void ConsumerAppTest::ProduceTo(const std::string& topic, const std::string& key,
                                const std::string& value) {
  absl::Status s = producer_->ProduceSync(topic, key, value, absl::Seconds(5));
  ASSERT_TRUE(s.ok()) << s;
}

std::vector<kafka::Message> ConsumerAppTest::ReadTopic(const std::string& topic, size_t want) {
  auto consumer =
      kafka::Consumer::Create({cluster_.bootstrap(), "test", {}}, UniqueUser("reader-"), {topic});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  std::vector<kafka::Message> all;
  if (!consumer.ok()) return all;
  for (absl::Time deadline = absl::Now() + absl::Seconds(20);
       all.size() < want && absl::Now() < deadline;) {
    auto batch = (*consumer)->PollBatch(100, absl::Milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    for (auto& m : *batch) all.push_back(std::move(m));
  }
  return all;
}

}  // namespace candor::testing
