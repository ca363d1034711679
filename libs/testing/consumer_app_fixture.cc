#include "libs/testing/consumer_app_fixture.h"

#include <utility>

#include "libs/testing/stack_env.h"

namespace candor::testing {

ConsumerAppTest::ConsumerAppTest(std::string input_topic, std::vector<std::string> other_topics)
    : input_topic_(std::move(input_topic)), other_topics_(std::move(other_topics)) {}

void ConsumerAppTest::SetUp() {
  cluster_.CreateTopic(input_topic_, 1);
  cluster_.CreateTopic(input_topic_ + ".dlq", 1);
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

void ConsumerAppTest::UseStack(service::ConsumerConfig* config,
                               const std::string& group_prefix) const {
  config->kafka_brokers = cluster_.bootstrap();
  config->pg_dsn = PgDsn();
  config->redis_addr = RedisAddr();
  config->group = UniqueUser(group_prefix);
  config->stats_interval_s = 1;
}

void ConsumerAppTest::StartApp(absl::StatusOr<std::unique_ptr<service::ConsumerApp>> app) {
  ASSERT_TRUE(app.ok()) << app.status();
  app_ = *std::move(app);
  runner_ = std::thread([this] { run_status_ = app_->Run([this] { return stop_.load(); }); });
}

absl::Status ConsumerAppTest::StopApp() {
  stop_ = true;
  if (runner_.joinable()) runner_.join();
  return run_status_;
}

void ConsumerAppTest::Produce(const std::string& key, const std::string& value) {
  ASSERT_TRUE(producer_->ProduceSync(input_topic_, key, value, absl::Seconds(5)).ok());
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
