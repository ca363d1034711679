#pragma once

#include <string>
#include <string_view>

namespace candor::redis {

// `{value}` as a Redis Cluster hash tag that always covers all of `value`: Redis hashes only what
// lies between the first `{` and the next `}`, so a raw `}` inside a user id would end the tag
// early (and a `{` would move it), scattering one user's keys across slots or letting one user's
// id pick another's slot. `%`, `{` and `}` are percent-encoded, which keeps distinct values
// distinct. Header-only; no state.
inline std::string HashTag(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('{');
  for (char c : value) {
    switch (c) {
      case '%':
        out.append("%25");
        break;
      case '{':
        out.append("%7B");
        break;
      case '}':
        out.append("%7D");
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('}');
  return out;
}

}  // namespace candor::redis
