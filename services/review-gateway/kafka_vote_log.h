#pragma once

#include <string>

#include "libs/kafka/kafka.h"
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// VoteLog on Kafka: the vote encoded by libs/events (helpful_votes.h) to `topic`, keyed by
// asin; `done` gets the delivery report. Borrows `producer`. Thread-safe.
class KafkaVoteLog final : public VoteLog {
 public:
  KafkaVoteLog(kafka::Producer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  void Publish(const review::HelpfulVote& vote, std::function<void(absl::Status)> done) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
};

}  // namespace candor::gateway
