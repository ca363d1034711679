// Fuzz target: DecodeHelpfulVote, the `helpful-votes` payload decoder (fuzz/README.md). What it
// accepts is valid and survives a second trip through the wire format unchanged.
#include <cstdint>

#include "fuzz/check.h"
#include "libs/events/decode_fuzzing.h"
#include "libs/events/helpful_votes.h"

namespace {

void CheckDecoded(const candor::review::HelpfulVote& v) {
  FUZZ_CHECK(candor::events::ValidateHelpfulVote(v).ok(), "what decodes is valid");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::review::HelpfulVote>(
      data, size, candor::events::DecodeHelpfulVote, candor::events::EncodeHelpfulVote,
      CheckDecoded);
}
