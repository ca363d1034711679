#pragma once

#include <string>
#include <string_view>

namespace candor::http {

// `s` with every "%XY" (two hex digits) turned into that byte: "%41b+c" -> "Ab c" when
// `plus_is_space` (a query string), else "Ab+c" (a path, a gRPC peer URI). A malformed escape is
// kept as written. Pure function.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace candor::http
