#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "libs/events/reco_impressions.h"
#include "libs/kafka/kafka.h"

namespace candor::reco_api {

// Where every Recommend answer's impressions go (a port: the conversion report reads them).
class ImpressionLog {
 public:
  virtual ~ImpressionLog() = default;
  // Never blocks the answer: a log that cannot take the impression counts it as lost.
  virtual void Publish(const events::RecoImpression& impression) = 0;
};

// ImpressionLog on Kafka: topic reco-impressions (events::kRecoImpressionsTopic), key user_id,
// produced without waiting for the delivery report. An impression is analytics, not a review:
// one that cannot be enqueued or delivered is counted (`lost`) and logged, never retried, and the
// answer is not held for it.
class KafkaImpressionLog final : public ImpressionLog {
 public:
  KafkaImpressionLog(kafka::Producer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  void Publish(const events::RecoImpression& impression) override;

  const std::atomic<int64_t>& published() const { return published_; }
  const std::atomic<int64_t>& lost() const { return lost_; }

 private:
  kafka::Producer& producer_;
  const std::string topic_;
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> lost_{0};
};

}  // namespace candor::reco_api
