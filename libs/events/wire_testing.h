#pragma once

#include <string>

namespace candor::events::testing {

// Tests only. `bytes` (a serialized message) with one more field appended that no version of
// events.proto uses (number 99, length-delimited), as a newer producer would add one. A decoder
// that tolerates unknown fields decodes it as it decodes `bytes`.
inline std::string WithUnknownField(std::string bytes) {
  const std::string value = "from a newer producer";
  bytes += "\x9a\x06";  // the key: (99 << 3) | 2 as a varint
  bytes += static_cast<char>(value.size());
  return bytes + value;
}

}  // namespace candor::events::testing
