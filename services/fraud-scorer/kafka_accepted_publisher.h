#pragma once

#include <string>

#include "libs/kafka/kafka.h"
#include "services/fraud-scorer/accepted_publisher.h"

namespace candor::fraud_scorer {

// AcceptedPublisher on Kafka: one candor.review.v1.ReviewEvent{accepted} per review, keyed by
// asin (so it shares the partition with the product's later Removed / Restored events), to
// `topic`. occurred_at is the row's stored_at, so a re-publication is byte-identical. Waits for
// every delivery report, at most `timeout` in total. Borrows `producer`. Thread-safe.
class KafkaAcceptedPublisher final : public AcceptedPublisher {
 public:
  KafkaAcceptedPublisher(kafka::Producer& producer, std::string topic, absl::Duration timeout);
  absl::Status PublishAccepted(const std::vector<StoredReview>& reviews) override;

  // The serialized event for `review` (exposed for tests).
  static std::string Encode(const StoredReview& review);

 private:
  kafka::Producer& producer_;
  std::string topic_;
  absl::Duration timeout_;
};

}  // namespace candor::fraud_scorer
