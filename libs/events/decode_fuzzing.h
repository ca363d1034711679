#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fuzz/check.h"

namespace candor::events::testing {

// The frame of a topic decoder's fuzz target (fuzz/README.md), run on the input `data`: whatever
// `decode` refuses must be InvalidArgument (poison for the dead-letter topic); whatever it accepts
// must pass the topic's `validate` (every decoder validates what it returns), hold the target's
// own further invariants (`check`, if given, which FUZZ_CHECKs them) and survive a second trip
// through `encode` and `decode` unchanged. Returns 0, as LLVMFuzzerTestOneInput must.
template <typename T>
int FuzzDecoder(const uint8_t* data, size_t size, absl::StatusOr<T> (*decode)(std::string_view),
                std::string (*encode)(const T&), absl::Status (*validate)(const T&),
                void (*check)(const T&) = nullptr) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<T> decoded = decode(bytes);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument,
               "a payload that cannot be applied is InvalidArgument (poison)");
    return 0;
  }
  FUZZ_CHECK(validate(*decoded).ok(), "what decodes is valid");
  if (check != nullptr) check(*decoded);
  absl::StatusOr<T> again = decode(encode(*decoded));
  FUZZ_CHECK(again.ok(), "what decodes re-encodes to a valid payload");
  FUZZ_CHECK(*again == *decoded, "decode(encode(decode(x))) == decode(x)");
  return 0;
}

}  // namespace candor::events::testing
