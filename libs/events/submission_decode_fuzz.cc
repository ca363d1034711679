// Fuzz target: DecodeReviewSubmitted, the `review-submissions` payload decoder (fuzz/README.md).
// What it accepts must be storable and must survive a second trip through the wire format
// unchanged.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "libs/events/decode_fuzzing.h"
#include "libs/events/review_submitted.h"
#include "libs/review/fingerprint.h"
#include "libs/review/ip_address.h"
#include "libs/review/validation.h"

namespace {

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void CheckDecoded(const candor::review::Submission& s) {
  FUZZ_CHECK(candor::review::ValidateSubmission(candor::review::ShopperInput(s)).ok(),
             "the gateway's rules hold");
  FUZZ_CHECK(!s.user_id.empty() && candor::review::IsValidUtf8(s.user_id), "a user id");
  FUZZ_CHECK(s.client_ip.empty() ||
                 candor::review::IpAddress::Parse(s.client_ip)->ToString() == s.client_ip,
             "client_ip is empty or a canonical IP address");
  FUZZ_CHECK(!s.imported || s.submitted_at >= candor::review::kEarliestImportTime,
             "an imported review's time is from 1995 on");
  FUZZ_CHECK(!HasNul(s.user_id) && !HasNul(s.title) && !HasNul(s.body) && !HasNul(s.device_id) &&
                 !HasNul(s.client_ip),
             "no NUL in anything stored as text");
  FUZZ_CHECK(s.fingerprint.size() == 64 &&
                 s.fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the fingerprint is 64 lower-case hex characters");
  FUZZ_CHECK(s.review_id == candor::review::ReviewIdFromFingerprint(s.fingerprint),
             "the review id derives from the fingerprint");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::review::Submission>(
      data, size, candor::events::DecodeReviewSubmitted, candor::events::EncodeReviewSubmitted,
      candor::events::ValidateReviewSubmitted, CheckDecoded);
}
