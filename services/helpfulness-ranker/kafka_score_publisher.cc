#include "services/helpfulness-ranker/kafka_score_publisher.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/events/review_scores.h"

namespace candor::helpfulness_ranker {

absl::Status KafkaScorePublisher::Publish(const std::vector<review::ReviewScore>& scores) {
  if (scores.empty()) return absl::OkStatus();
  std::vector<std::pair<std::string, std::string>> messages;
  messages.reserve(scores.size());
  for (const review::ReviewScore& s : scores) {
    messages.emplace_back(s.asin, events::EncodeReviewScore(s));
  }
  // The producer's delivery timeout bounds the wait: every message gets exactly one report.
  absl::Status s = producer_.ProduceAll(topic_, messages, absl::InfiniteDuration());
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat("review-scores not delivered: ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::helpfulness_ranker
