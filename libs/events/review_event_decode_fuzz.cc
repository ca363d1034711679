// Fuzz target: DecodeReviewEvent, the `review-events` payload decoder (fuzz/README.md). What it
// accepts names a review and a product a consumer can key on, and survives a second trip through
// the wire format unchanged.
#include <cstdint>
#include <string>

#include "fuzz/check.h"
#include "libs/events/decode_fuzzing.h"
#include "libs/events/review_events.h"
#include "libs/review/validation.h"

namespace {

void CheckDecoded(const candor::review::ReviewEvent& e) {
  FUZZ_CHECK(e.review_id.size() == 32 &&
                 e.review_id.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the review id is 32 lower-case hex characters");
  FUZZ_CHECK(candor::review::IsValidAsin(e.asin), "the asin is an ASIN");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::review::ReviewEvent>(
      data, size, candor::events::DecodeReviewEvent, candor::events::EncodeReviewEvent,
      candor::events::ValidateReviewEvent, CheckDecoded);
}
