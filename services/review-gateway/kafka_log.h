#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/review_submitted.h"
#include "libs/kafka/kafka.h"
#include "services/review-gateway/helpful_ports.h"
#include "services/review-gateway/submission_log.h"

namespace candor::gateway {

// Produces `value` to `topic` under `key` and hands `done` the delivery report, or Unavailable
// when the producer refuses the message at once. Produce copies key and value, so both may die
// when this returns. Thread-safe (as kafka::Producer).
void PublishReported(kafka::Producer& producer, const std::string& topic, std::string_view key,
                     std::string_view value, std::function<void(absl::Status)> done);

// A log port (`Port`, whose Publish takes a `Message` and a `done`) on Kafka: each message encoded
// by its topic's libs/events codec (`Encode`) to `topic`, keyed by its asin, on the gateway's
// idempotent acks=all producer, whose delivery timeout is the publish budget; `done` gets the
// delivery report (PublishReported). Borrows `producer`. Thread-safe.
template <typename Port, typename Message, std::string (*Encode)(const Message&)>
class KafkaLog final : public Port {
 public:
  KafkaLog(kafka::Producer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}

  void Publish(const Message& message, std::function<void(absl::Status)> done) override {
    PublishReported(producer_, topic_, message.asin, Encode(message), std::move(done));
  }

 private:
  kafka::Producer& producer_;
  std::string topic_;
};

// SubmissionLog: the `review-submissions` payload (events::EncodeReviewSubmitted).
using KafkaSubmissionLog =
    KafkaLog<SubmissionLog, review::Submission, events::EncodeReviewSubmitted>;
// VoteLog: the `helpful-votes` payload (events::EncodeHelpfulVote).
using KafkaVoteLog = KafkaLog<VoteLog, review::HelpfulVote, events::EncodeHelpfulVote>;

}  // namespace candor::gateway
