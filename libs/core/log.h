#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace candor::core {

// Sets the default spdlog logger: stderr, one line per event with time, level and service name,
// at `level` ("debug", "info", "warn", "error").
void InitLogging(const std::string& service, const std::string& level);

// InvalidArgument naming --log-level unless `level` is one spdlog knows (trace, debug, info,
// warn, error, critical, off); spdlog itself would silently turn a typo into "off".
absl::Status ValidateLogLevel(const std::string& level);

}  // namespace candor::core

// Debian's absl has its own string_view (not std's), so teach fmt to print it and Status.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename Ctx>
  auto format(absl::string_view s, Ctx& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s.data(), s.size()), ctx);
  }
};

template <>
struct fmt::formatter<absl::Status> : fmt::formatter<fmt::string_view> {
  template <typename Ctx>
  auto format(const absl::Status& s, Ctx& ctx) const {
    std::string text = s.ToString();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(text), ctx);
  }
};
