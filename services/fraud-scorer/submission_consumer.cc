#include "services/fraud-scorer/submission_consumer.h"

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace candor::fraud_scorer {
namespace {

constexpr size_t kMaxUserIdBytes = 128;

bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

absl::StatusOr<review::Submission> DecodeSubmission(std::string_view bytes) {
  candor::review::v1::ReviewSubmitted m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("cannot decode candor.review.v1.ReviewSubmitted");
  }
  review::SubmissionInput in;
  in.asin = m.asin();
  in.rating = m.rating();
  in.title = m.title();
  in.body = m.body();
  in.verified_purchase = m.verified_purchase();
  in.device_id = m.device_id();
  if (absl::Status s = review::ValidateSubmission(in); !s.ok()) return s;
  if (HasNul(m.title()) || HasNul(m.body()) || HasNul(m.device_id())) {
    return absl::InvalidArgumentError("title/body/device_id: contains a NUL byte");
  }
  if (m.user_id().empty()) return absl::InvalidArgumentError("user_id: required");
  if (m.user_id().size() > kMaxUserIdBytes || !review::IsValidUtf8(m.user_id()) ||
      HasNul(m.user_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("user_id: at most ", kMaxUserIdBytes, " bytes of UTF-8 without NUL"));
  }
  if (m.review_id().empty()) return absl::InvalidArgumentError("review_id: required");
  if (!IsLowerHex(m.fingerprint(), 64)) {
    return absl::InvalidArgumentError("fingerprint: must be 64 lower-case hex characters");
  }
  if (m.review_id() != review::ReviewIdFromFingerprint(m.fingerprint())) {
    return absl::InvalidArgumentError("review_id: does not derive from the fingerprint");
  }
  if (!m.has_submitted_at()) return absl::InvalidArgumentError("submitted_at: required");
  // google.protobuf.Timestamp's own valid range (years 1..9999), which Postgres can store.
  if (m.submitted_at().seconds() < -62135596800 || m.submitted_at().seconds() > 253402300799 ||
      m.submitted_at().nanos() < 0 || m.submitted_at().nanos() > 999999999) {
    return absl::InvalidArgumentError("submitted_at: outside the valid Timestamp range");
  }
  if (m.client_ip().size() > 64 || HasNul(m.client_ip())) {
    return absl::InvalidArgumentError("client_ip: at most 64 bytes without NUL");
  }

  review::Submission s;
  s.review_id = m.review_id();
  s.asin = m.asin();
  s.user_id = m.user_id();
  s.rating = m.rating();
  s.title = m.title();
  s.body = m.body();
  s.verified_purchase = m.verified_purchase();
  s.fingerprint = m.fingerprint();
  s.submitted_at = absl::FromUnixSeconds(m.submitted_at().seconds()) +
                   absl::Nanoseconds(m.submitted_at().nanos());
  s.client_ip = m.client_ip();
  s.device_id = m.device_id();
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
