// Fuzz target: DecodeRecoImpression, the `reco-impressions` payload decoder (fuzz/README.md). What
// it accepts is valid and survives a second trip through the wire format unchanged.
#include <cstdint>

#include "libs/events/decode_fuzzing.h"
#include "libs/events/reco_impressions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return candor::events::testing::FuzzDecoder<candor::events::RecoImpression>(
      data, size, candor::events::DecodeRecoImpression, candor::events::EncodeRecoImpression,
      candor::events::ValidateRecoImpression);
}
