#pragma once

#include <string>

#include "libs/kafka/kafka.h"
#include "libs/review/review_event.h"
#include "services/fraud-scorer/accepted_publisher.h"

namespace candor::fraud_scorer {

// The Accepted event announcing `review` on `review-events` (AcceptedPublisher): rating, verified
// flag and author from the stored row, occurred_at its stored_at, so a re-publication is
// byte-identical. Pure function.
review::ReviewEvent AcceptedEvent(const StoredReview& review);

// AcceptedPublisher on Kafka: one AcceptedEvent per review, encoded by events::EncodeReviewEvent
// and keyed by asin (so it shares the partition with the product's later Removed / Restored
// events), to `topic`. Waits for every delivery report, at most `timeout` in total. Borrows
// `producer`. Thread-safe.
class KafkaAcceptedPublisher final : public AcceptedPublisher {
 public:
  KafkaAcceptedPublisher(kafka::Producer& producer, std::string topic, absl::Duration timeout);
  absl::Status PublishAccepted(const std::vector<StoredReview>& reviews) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
  absl::Duration timeout_;
};

}  // namespace candor::fraud_scorer
