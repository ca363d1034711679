#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"

// Tests only (links gtest): the frame the libs/kafka tests share.
namespace candor::kafka::testing {

// Polls `c` until it has `want` messages or `budget` passed; returns what it got, in the order it
// got them. A failed poll is a test failure and ends the wait.
inline std::vector<Message> Drain(Consumer& c, size_t want, absl::Duration budget) {
  std::vector<Message> all;
  for (absl::Time deadline = absl::Now() + budget; all.size() < want && absl::Now() < deadline;) {
    auto batch = c.PollBatch(100, absl::Milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    for (auto& m : *batch) all.push_back(std::move(m));
  }
  return all;
}

// A gtest fixture: librdkafka's mock cluster in the test process, a producer on it, and the
// options for more clients. Each test creates the topics it uses.
class MockClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto producer = Producer::Create(options_, absl::Seconds(5));
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
  }

  // Produces one message and waits for its delivery report.
  void Send(const std::string& topic, const std::string& key, const std::string& value) {
    ASSERT_TRUE(producer_->ProduceSync(topic, key, value, absl::Seconds(5)).ok());
  }

  MockCluster cluster_;
  ClientOptions options_{cluster_.bootstrap(), "test", {}};
  std::unique_ptr<Producer> producer_;
};

}  // namespace candor::kafka::testing
