// Fuzz target: DecodeReviewEvent, the `review-events` payload decoder (fuzz/README.md). What it
// accepts names a review and a product a consumer can key on, and survives a second trip through
// the wire format unchanged.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "libs/events/review_events.h"
#include "libs/review/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<candor::review::ReviewEvent> e = candor::events::DecodeReviewEvent(bytes);
  if (!e.ok()) {
    FUZZ_CHECK(e.status().code() == absl::StatusCode::kInvalidArgument,
               "a payload that cannot be applied is InvalidArgument (poison)");
    return 0;
  }
  FUZZ_CHECK(e->review_id.size() == 32 &&
                 e->review_id.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the review id is 32 lower-case hex characters");
  FUZZ_CHECK(candor::review::IsValidAsin(e->asin), "the asin is an ASIN");
  FUZZ_CHECK(candor::events::ValidateReviewEvent(*e).ok(), "what decodes is valid");

  absl::StatusOr<candor::review::ReviewEvent> again =
      candor::events::DecodeReviewEvent(candor::events::EncodeReviewEvent(*e));
  FUZZ_CHECK(again.ok(), "a decoded event re-encodes to a valid payload");
  FUZZ_CHECK(*again == *e, "decode(encode(decode(x))) == decode(x)");
  return 0;
}
