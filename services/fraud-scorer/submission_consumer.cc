#include "services/fraud-scorer/submission_consumer.h"

#include "candor/review/v1/events.pb.h"
#include "libs/review/validation.h"

namespace candor::fraud_scorer {

absl::StatusOr<review::Submission> DecodeSubmission(std::string_view bytes) {
  candor::review::v1::ReviewSubmitted m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("cannot decode candor.review.v1.ReviewSubmitted");
  }
  // The same two checks the gateway ran before it answered OK, so whatever it accepted decodes
  // here (I1); no rule of the scorer's own.
  review::SubmissionInput in;
  in.asin = m.asin();
  in.rating = m.rating();
  in.title = m.title();
  in.body = m.body();
  in.verified_purchase = m.verified_purchase();
  in.device_id = m.device_id();
  if (absl::Status s = review::ValidateSubmission(in); !s.ok()) return s;
  if (!m.has_submitted_at()) return absl::InvalidArgumentError("submitted_at: required");
  // A Timestamp's nanos are 0..999,999,999 by its definition; anything else is not a time.
  if (m.submitted_at().nanos() < 0 || m.submitted_at().nanos() > 999999999) {
    return absl::InvalidArgumentError("submitted_at: nanos outside 0..999999999");
  }

  review::Submission s;
  s.review_id = m.review_id();
  s.asin = std::move(in.asin);
  s.user_id = m.user_id();
  s.rating = m.rating();
  s.title = std::move(in.title);
  s.body = std::move(in.body);
  s.verified_purchase = m.verified_purchase();
  s.fingerprint = m.fingerprint();
  s.submitted_at = absl::FromUnixSeconds(m.submitted_at().seconds()) +
                   absl::Nanoseconds(m.submitted_at().nanos());
  s.client_ip = m.client_ip();
  s.device_id = std::move(in.device_id);
  if (absl::Status st = review::ValidateGatewayFields(s); !st.ok()) return st;
  return s;
}

absl::Status SubmissionConsumer::Handle(const std::vector<kafka::Message>& batch,
                                        std::vector<kafka::Poison>* poison) {
  std::vector<review::Submission> good;
  good.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<review::Submission> s = DecodeSubmission(batch[i].value);
    if (!s.ok()) {
      poison->push_back({i, std::string(s.status().message())});
      continue;
    }
    good.push_back(*std::move(s));
  }
  return intake_.Process(good);
}

}  // namespace candor::fraud_scorer
