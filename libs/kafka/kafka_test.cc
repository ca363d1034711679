#include "libs/kafka/kafka.h"

#include <librdkafka/rdkafka.h>

#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/kafka_testing.h"

namespace candor::kafka {
namespace {

using testing::Drain;

// Each test's own mock cluster, with a producer on it.
using KafkaTest = testing::MockClusterTest;

TEST_F(KafkaTest, ProduceConsumeCommitResume) {
  cluster_.CreateTopic("t", 2);
  for (int i = 0; i < 20; ++i) Send("t", absl::StrCat("k", i % 3), absl::StrCat("v", i));
  {
    auto consumer = Consumer::Create(options_, "g1", {"t"});
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    std::vector<Message> got = Drain(**consumer, 10, absl::Seconds(15));
    ASSERT_GE(got.size(), 10u);
    // Commit only the first ten; everything after must come back to the next member.
    got.resize(10);
    ASSERT_TRUE((*consumer)->Commit(got).ok());
  }
  auto again = Consumer::Create(options_, "g1", {"t"});
  ASSERT_TRUE(again.ok());
  absl::Time t0 = absl::Now();
  std::vector<Message> rest = Drain(**again, 10, absl::Seconds(30));
  std::cerr << "second member drained " << rest.size() << " in " << absl::Now() - t0 << "\n";
  std::set<std::string> values;
  for (const Message& m : rest) values.insert(m.value);
  // At least the ten uncommitted ones arrive; committed ones per partition do not.
  EXPECT_GE(values.size(), 10u);
  EXPECT_LT(values.size(), 20u);
}

// A lingering batch takes a message that arrives after its first; without linger the batch
// closes with what was buffered.
TEST_F(KafkaTest, PollBatchLingersForMoreAfterTheFirstMessage) {
  cluster_.CreateTopic("linger", 1);
  auto consumer = Consumer::Create(options_, "g-linger", {"linger"});
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  auto send = [&](const std::string& v) { Send("linger", "k", v); };
  // Wait for the group to form and the consumer to reach the end of the (empty) partition.
  send("warm-up");
  ASSERT_EQ(Drain(**consumer, 1, absl::Seconds(20)).size(), 1u);

  send("a1");
  std::thread late([&] {
    absl::SleepFor(absl::Milliseconds(300));
    send("a2");
  });
  auto lingered = (*consumer)->PollBatch(10, absl::Seconds(5), absl::Seconds(3));
  late.join();
  ASSERT_TRUE(lingered.ok()) << lingered.status();
  ASSERT_EQ(lingered->size(), 2u);
  EXPECT_EQ((*lingered)[0].value, "a1");
  EXPECT_EQ((*lingered)[1].value, "a2");

  send("b1");
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(500));
    send("b2");
  });
  auto prompt = (*consumer)->PollBatch(10, absl::Seconds(5));
  later.join();
  ASSERT_TRUE(prompt.ok()) << prompt.status();
  ASSERT_EQ(prompt->size(), 1u);
  EXPECT_EQ((*prompt)[0].value, "b1");
}

// librdkafka's mock brokers keep 5 MB per partition, and a real cluster deletes by retention: a
// consumer that falls further behind is moved to the oldest message kept (auto.offset.reset).
// The lost messages must not pass in silence.
TEST(OffsetContinuityTest, CountsForwardJumpsPerPartition) {
  OffsetContinuity c;
  EXPECT_EQ(c.Observe("t", 0, 5), 0);  // the first offset seen is the baseline
  EXPECT_EQ(c.Observe("t", 0, 6), 0);
  EXPECT_EQ(c.Observe("t", 1, 100), 0);  // another partition has its own baseline
  EXPECT_EQ(c.Observe("t", 0, 10), 3);   // 7, 8 and 9 were never delivered
  EXPECT_EQ(c.Observe("u", 0, 1), 0);    // another topic too
  EXPECT_EQ(c.Observe("t", 0, 4), 0);    // a redelivery after a rebalance goes back: fine
  EXPECT_EQ(c.Observe("t", 0, 5), 0);
  EXPECT_EQ(c.Observe("t", 1, 101), 0);
  EXPECT_EQ(c.skipped(), 3);
  c.Seed("t", 2, 50);  // committed offset 50: the next delivery should be 50
  EXPECT_EQ(c.Observe("t", 2, 57), 7);
  c.Reset();  // a rebalance: what another member did meanwhile is not a gap
  EXPECT_EQ(c.Observe("t", 0, 500), 0);
  EXPECT_EQ(c.skipped(), 10);
}

// A consumer whose group committed offset 1 comes back after the broker deleted past it (the
// mock keeps 5 MB per partition): the first message it gets is later than the committed offset,
// and the gap is counted.
TEST_F(KafkaTest, ConsumerReportsMessagesDeletedBeforeItReadThem) {
  cluster_.CreateTopic("retained", 1);
  Send("retained", "k", "first");
  {
    auto consumer = Consumer::Create(options_, "g-retained", {"retained"});
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    std::vector<Message> got = Drain(**consumer, 1, absl::Seconds(20));
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE((*consumer)->Commit(got).ok());
    EXPECT_EQ((*consumer)->skipped(), 0);
  }
  // 6.4 MB that lz4 cannot shrink: more than the partition keeps.
  std::mt19937_64 random(42);
  std::string big(64 * 1024, '\0');
  for (int i = 0; i < 100; ++i) {
    for (char& c : big) c = static_cast<char>(random());
    Send("retained", "k", big);
  }
  auto again = Consumer::Create(options_, "g-retained", {"retained"});
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<Message> rest = Drain(**again, 1, absl::Seconds(20));
  ASSERT_FALSE(rest.empty());
  EXPECT_GT(rest.front().offset, 1);  // the oldest messages are gone
  EXPECT_EQ((*again)->skipped(), rest.front().offset - 1);
}

TEST_F(KafkaTest, DeadLetterKeepsBytesAndReason) {
  cluster_.CreateTopic("in", 1);
  cluster_.CreateTopic("in.dlq", 1);
  Message poison{"in", 0, 7, "KEY", std::string("\xff\x00garbage", 9), absl::Now(), {}};
  ASSERT_TRUE(SendToDeadLetter(*producer_, poison, "cannot decode", absl::Seconds(5),
                               {{"dlq-attempts", "1"}})
                  .ok());
  auto consumer = Consumer::Create(options_, "g-dlq", {"in.dlq"});
  ASSERT_TRUE(consumer.ok());
  std::vector<Message> got = Drain(**consumer, 1, absl::Seconds(15));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "KEY");
  EXPECT_EQ(got[0].value, poison.value);
  const Headers want = {
      {"dlq-reason", "cannot decode"}, {"dlq-origin", "in/0/7"}, {"dlq-attempts", "1"}};
  EXPECT_EQ(got[0].headers, want);
}

// ProduceAll returns once every message is confirmed; all of them are then on the topic.
TEST_F(KafkaTest, ProduceAllWaitsForEveryDeliveryReport) {
  cluster_.CreateTopic("all", 2);
  std::vector<std::pair<std::string, std::string>> messages;
  messages.reserve(30);
  for (int i = 0; i < 30; ++i) messages.emplace_back(absl::StrCat("k", i), absl::StrCat("v", i));
  ASSERT_TRUE(producer_->ProduceAll("all", messages, absl::Seconds(10)).ok());
  auto consumer = Consumer::Create(options_, "g-all", {"all"});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::set<std::string> values;
  for (const Message& m : Drain(**consumer, 30, absl::Seconds(15))) values.insert(m.value);
  EXPECT_EQ(values.size(), 30u);
}

// Messages the broker never confirms make ProduceAll Unavailable, naming how many failed.
TEST(KafkaUnreachableTest, ProduceAllCountsTheFailedDeliveries) {
  auto producer =
      Producer::Create(ClientOptions{"127.0.0.1:1", "test", {}}, absl::Milliseconds(500));
  ASSERT_TRUE(producer.ok());
  absl::Status s = (*producer)->ProduceAll("t", {{"k1", "v1"}, {"k2", "v2"}, {"k3", "v3"}},
                                           absl::InfiniteDuration());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("3 of 3 failed"), std::string_view::npos) << s;
}

TEST(KafkaUnreachableTest, BrokerTimesOutAsUnavailable) {
  // Nothing listens on port 1: the delivery report must come back as a failure in time.
  ClientOptions opts{"127.0.0.1:1", "test", {}};
  auto producer = Producer::Create(opts, absl::Milliseconds(500));
  ASSERT_TRUE(producer.ok());
  absl::Status s = (*producer)->ProduceSync("t", "k", "v", absl::Seconds(3));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

}  // namespace
}  // namespace candor::kafka
