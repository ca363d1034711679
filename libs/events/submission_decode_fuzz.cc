// Fuzz target: DecodeReviewSubmitted, the `review-submissions` payload decoder (fuzz/README.md).
// What it accepts must be storable and must survive a second trip through the wire format
// unchanged.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "libs/events/review_submitted.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace {

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<candor::review::Submission> s = candor::events::DecodeReviewSubmitted(bytes);
  if (!s.ok()) {
    FUZZ_CHECK(s.status().code() == absl::StatusCode::kInvalidArgument,
               "a payload that cannot be applied is InvalidArgument (poison)");
    return 0;
  }
  FUZZ_CHECK(candor::review::ValidateSubmission(candor::review::ShopperInput(*s)).ok(),
             "the gateway's rules hold");
  FUZZ_CHECK(!s->user_id.empty() && candor::review::IsValidUtf8(s->user_id), "a user id");
  FUZZ_CHECK(candor::review::IsValidUtf8(s->client_ip), "client_ip is UTF-8 (text column)");
  FUZZ_CHECK(!HasNul(s->user_id) && !HasNul(s->title) && !HasNul(s->body) &&
                 !HasNul(s->device_id) && !HasNul(s->client_ip),
             "no NUL in anything stored as text");
  FUZZ_CHECK(s->fingerprint.size() == 64 &&
                 s->fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the fingerprint is 64 lower-case hex characters");
  FUZZ_CHECK(s->review_id == candor::review::ReviewIdFromFingerprint(s->fingerprint),
             "the review id derives from the fingerprint");

  absl::StatusOr<candor::review::Submission> again =
      candor::events::DecodeReviewSubmitted(candor::events::EncodeReviewSubmitted(*s));
  FUZZ_CHECK(again.ok(), "a decoded submission re-encodes to a valid payload");
  FUZZ_CHECK(again->review_id == s->review_id && again->asin == s->asin &&
                 again->user_id == s->user_id && again->rating == s->rating &&
                 again->title == s->title && again->body == s->body &&
                 again->verified_purchase == s->verified_purchase &&
                 again->fingerprint == s->fingerprint && again->submitted_at == s->submitted_at &&
                 again->client_ip == s->client_ip && again->device_id == s->device_id,
             "decode(encode(decode(x))) == decode(x)");
  return 0;
}
