// Fuzz target: DecodeHelpfulVote, the `helpful-votes` payload decoder (fuzz/README.md). What it
// accepts is valid and survives a second trip through the wire format unchanged.
#include <cstdint>

#include "libs/events/decode_fuzzing.h"
#include "libs/events/helpful_votes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::review::HelpfulVote>(
      data, size, candor::events::DecodeHelpfulVote, candor::events::EncodeHelpfulVote,
      candor::events::ValidateHelpfulVote);
}
