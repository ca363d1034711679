#include "libs/events/review_submitted.h"

#include "candor/review/v1/events.pb.h"
#include "libs/events/payload.h"
#include "libs/events/timestamp.h"
#include "libs/review/validation.h"

namespace candor::events {
namespace {

absl::StatusOr<review::Submission> SubmissionFromProto(candor::review::v1::ReviewSubmitted& m) {
  absl::StatusOr<absl::Time> submitted_at =
      FromRequiredTimestamp("submitted_at", m.has_submitted_at(), m.submitted_at());
  if (!submitted_at.ok()) return submitted_at.status();
  std::optional<absl::Time> account_created_at;
  if (m.has_account_created_at()) {
    absl::StatusOr<absl::Time> t = FromProtoTimestamp("account_created_at", m.account_created_at());
    if (!t.ok()) return t.status();
    account_created_at = *t;
  }

  // The message is ours alone, so its strings move rather than copy.
  review::Submission s;
  s.review_id = std::move(*m.mutable_review_id());
  s.asin = std::move(*m.mutable_asin());
  s.user_id = std::move(*m.mutable_user_id());
  s.rating = m.rating();
  s.title = std::move(*m.mutable_title());
  s.body = std::move(*m.mutable_body());
  s.verified_purchase = m.verified_purchase();
  s.fingerprint = std::move(*m.mutable_fingerprint());
  s.submitted_at = *submitted_at;
  s.client_ip = std::move(*m.mutable_client_ip());
  s.device_id = std::move(*m.mutable_device_id());
  s.imported = m.imported();
  s.account_created_at = account_created_at;
  return s;
}

}  // namespace

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
  ToProtoTimestamp(s.submitted_at, msg.mutable_submitted_at());
  msg.set_client_ip(s.client_ip);
  msg.set_device_id(s.device_id);
  msg.set_imported(s.imported);
  if (s.account_created_at)
    ToProtoTimestamp(*s.account_created_at, msg.mutable_account_created_at());
  return msg.SerializeAsString();
}

absl::StatusOr<review::Submission> DecodeReviewSubmitted(std::string_view bytes) {
  // The same checks the gateway ran before it answered OK, so whatever it accepted decodes here
  // (I1); the consumer has no rule of its own.
  return DecodePayload(bytes, SubmissionFromProto, ValidateReviewSubmitted);
}

absl::Status ValidateReviewSubmitted(const review::Submission& s) {
  if (absl::Status st = review::ValidateSubmission(review::ShopperInput(s)); !st.ok()) return st;
  return review::ValidateGatewayFields(s);
}

}  // namespace candor::events
