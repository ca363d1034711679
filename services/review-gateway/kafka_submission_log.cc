#include "services/review-gateway/kafka_submission_log.h"

#include "libs/events/review_submitted.h"

namespace candor::gateway {

void KafkaSubmissionLog::Publish(const review::Submission& s,
                                 std::function<void(absl::Status)> done) {
  std::string bytes = events::EncodeReviewSubmitted(s);
  // Produce copies key and value, so `bytes` may die here; `done` moves into the report.
  auto shared_done = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  absl::Status enqueued = producer_.Produce(topic_, s.asin, bytes,
                                            [shared_done](absl::Status st) { (*shared_done)(st); });
  if (!enqueued.ok()) (*shared_done)(absl::UnavailableError(enqueued.message()));
}

}  // namespace candor::gateway
