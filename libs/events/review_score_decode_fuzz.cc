// Fuzz target: DecodeReviewScore, the `review-scores` payload decoder (fuzz/README.md). What it
// accepts is valid and survives a second trip through the wire format unchanged.
#include <cstdint>

#include "libs/events/decode_fuzzing.h"
#include "libs/events/review_scores.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::review::ReviewScore>(
      data, size, candor::events::DecodeReviewScore, candor::events::EncodeReviewScore,
      candor::events::ValidateReviewScore);
}
