#pragma once

#include <string>

namespace candor::pg {

// A Postgres array literal of strings ('{"a","b"}') for one parameter such as
// `= ANY($1::text[])`: one bound value instead of a statement per element. Every element is
// double-quoted with backslash and quote escaped, so any text is safe inside it. `items` is any
// range of std::string.
template <typename Container>
std::string ArrayLiteral(const Container& items) {
  std::string out = "{";
  bool first = true;
  for (const std::string& item : items) {
    if (!first) out += ',';
    first = false;
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace candor::pg
