#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/kafka/kafka.h"
#include "services/fraud-scorer/rescore/rescore_ports.h"

namespace candor::fraud_scorer::rescore {

// EventPublisher on Kafka: each event encoded by events::EncodeReviewEvent and keyed by its asin
// (so it is ordered with the product's other events), to `topic`; then waits for every delivery
// report, at most `timeout`. `producer` is the tool's own, so its Flush waits for these events
// only. Borrows `producer`. Not thread-safe.
class KafkaEventPublisher final : public EventPublisher {
 public:
  KafkaEventPublisher(kafka::Producer& producer, std::string topic, absl::Duration timeout)
      : producer_(producer), topic_(std::move(topic)), timeout_(timeout) {}

  absl::Status Publish(const std::vector<review::ReviewEvent>& events) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
  absl::Duration timeout_;
};

}  // namespace candor::fraud_scorer::rescore
