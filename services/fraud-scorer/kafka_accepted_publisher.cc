#include "services/fraud-scorer/kafka_accepted_publisher.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/events/review_events.h"

namespace candor::fraud_scorer {

review::ReviewEvent AcceptedEvent(const StoredReview& r) {
  review::ReviewEvent e;
  e.review_id = r.review_id;
  e.asin = r.asin;
  e.occurred_at = r.stored_at;
  e.change = review::ReviewAccepted{r.rating, r.verified_purchase, r.user_id};
  return e;
}

KafkaAcceptedPublisher::KafkaAcceptedPublisher(kafka::Producer& producer, std::string topic,
                                               absl::Duration timeout)
    : producer_(producer), topic_(std::move(topic)), timeout_(timeout) {}

absl::Status KafkaAcceptedPublisher::PublishAccepted(const std::vector<StoredReview>& reviews) {
  std::vector<std::pair<std::string, std::string>> messages;
  messages.reserve(reviews.size());
  for (const StoredReview& r : reviews) {
    messages.emplace_back(r.asin, events::EncodeReviewEvent(AcceptedEvent(r)));
  }
  absl::Status s = producer_.ProduceAll(topic_, messages, timeout_);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("publishing Accepted: ", s.message()));
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer
