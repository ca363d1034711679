#pragma once

#include <string>
#include <vector>

#include "libs/kafka/kafka.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// ScorePublisher on Kafka: each score encoded by libs/events (review_scores.h) to `topic`, keyed
// by asin, all enqueued at once, then waited for until every delivery report is in (the
// producer's delivery timeout bounds the wait). Unavailable when one was not delivered (the
// batch is retried; the consumers of review-scores are idempotent). Borrows `producer`.
class KafkaScorePublisher final : public ScorePublisher {
 public:
  KafkaScorePublisher(kafka::Producer& producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  absl::Status Publish(const std::vector<review::ReviewScore>& scores) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
};

}  // namespace candor::helpfulness_ranker
