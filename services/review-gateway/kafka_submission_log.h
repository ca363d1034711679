#pragma once

#include <string>

#include "libs/kafka/kafka.h"
#include "services/review-gateway/submission_log.h"

namespace candor::gateway {

// SubmissionLog on Kafka: the `review-submissions` payload (events::EncodeReviewSubmitted), keyed
// by asin, on an idempotent acks=all producer whose delivery timeout is the publish budget.
// Borrows `producer`.
class KafkaSubmissionLog final : public SubmissionLog {
 public:
  KafkaSubmissionLog(kafka::Producer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  void Publish(const review::Submission& s, std::function<void(absl::Status)> done) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
};

}  // namespace candor::gateway
