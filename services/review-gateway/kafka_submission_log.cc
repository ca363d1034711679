#include "services/review-gateway/kafka_submission_log.h"

#include "candor/review/v1/events.pb.h"

namespace candor::gateway {

std::string EncodeReviewSubmitted(const review::Submission& s) {
  candor::review::v1::ReviewSubmitted msg;
  msg.set_review_id(s.review_id);
  msg.set_asin(s.asin);
  msg.set_user_id(s.user_id);
  msg.set_rating(s.rating);
  msg.set_title(s.title);
  msg.set_body(s.body);
  msg.set_verified_purchase(s.verified_purchase);
  msg.set_fingerprint(s.fingerprint);
  // Timestamp's nanos count forward from a whole second (never negative): ToUnixSeconds rounds
  // down, also before 1970.
  const int64_t seconds = absl::ToUnixSeconds(s.submitted_at);
  msg.mutable_submitted_at()->set_seconds(seconds);
  msg.mutable_submitted_at()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(s.submitted_at - absl::FromUnixSeconds(seconds))));
  msg.set_client_ip(s.client_ip);
  msg.set_device_id(s.device_id);
  return msg.SerializeAsString();
}

void KafkaSubmissionLog::Publish(const review::Submission& s,
                                 std::function<void(absl::Status)> done) {
  std::string bytes = EncodeReviewSubmitted(s);
  // Produce copies key and value, so `bytes` may die here; `done` moves into the report.
  auto shared_done = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  absl::Status enqueued = producer_.Produce(topic_, s.asin, bytes,
                                            [shared_done](absl::Status st) { (*shared_done)(st); });
  if (!enqueued.ok()) (*shared_done)(absl::UnavailableError(enqueued.message()));
}

}  // namespace candor::gateway
