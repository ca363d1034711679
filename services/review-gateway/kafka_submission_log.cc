#include "services/review-gateway/kafka_submission_log.h"

#include "candor/review/v1/events.pb.h"

namespace candor::gateway {

void KafkaSubmissionLog::Publish(const review::Submission& s,
                                 std::function<void(absl::Status)> done) {
  candor::review::v1::ReviewSubmitted msg;
  msg.set_review_id(s.review_id);
  msg.set_asin(s.asin);
  msg.set_user_id(s.user_id);
  msg.set_rating(s.rating);
  msg.set_title(s.title);
  msg.set_body(s.body);
  msg.set_verified_purchase(s.verified_purchase);
  msg.set_fingerprint(s.fingerprint);
  int64_t micros = absl::ToUnixMicros(s.submitted_at);
  msg.mutable_submitted_at()->set_seconds(micros / 1'000'000);
  msg.mutable_submitted_at()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  msg.set_client_ip(s.client_ip);
  msg.set_device_id(s.device_id);
  std::string bytes = msg.SerializeAsString();
  // Produce copies key and value, so `bytes` may die here; `done` moves into the report.
  auto shared_done = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  absl::Status enqueued = producer_.Produce(topic_, s.asin, bytes,
                                            [shared_done](absl::Status st) { (*shared_done)(st); });
  if (!enqueued.ok()) (*shared_done)(absl::UnavailableError(enqueued.message()));
}

}  // namespace candor::gateway
