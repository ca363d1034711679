#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace candor::pg {

namespace internal {

inline void AppendArrayElement(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

inline void AppendArrayElement(std::string& out, bool b) { out += b ? 't' : 'f'; }

template <typename Number>
requires std::is_arithmetic_v<Number>
void AppendArrayElement(std::string& out, Number n) { absl::StrAppend(&out, n); }

}  // namespace internal

// A Postgres array literal ('{"a","b"}', '{1,2}', '{t,f}') for one bound parameter such as
// `= ANY($1::text[])` or `unnest($1::text[], $2::bigint[])`: a batch travels as a few values
// instead of a statement whose text (and parse/plan cost) grows with the batch. Strings are
// double-quoted with backslash and quote escaped, so any text is safe inside; numbers and bools
// are written bare. `items` is any range of std::string, arithmetic values or bool (including
// std::vector<bool>).
template <typename Container>
std::string ArrayLiteral(const Container& items) {
  using Element = typename Container::value_type;
  std::string out = "{";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    if constexpr (std::is_same_v<Element, bool>) {
      internal::AppendArrayElement(out, static_cast<bool>(item));
    } else if constexpr (std::is_arithmetic_v<Element>) {
      internal::AppendArrayElement(out, item);
    } else {
      internal::AppendArrayElement(out, std::string_view(item));
    }
  }
  out += '}';
  return out;
}

}  // namespace candor::pg
