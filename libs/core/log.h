#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace candor::core {

// Sets the default spdlog logger: stderr, one event per line, at `level` ("debug", "info",
// "warn", "error"), in `format`:
// - "text": time, level letter, service name, message;
// - "json": one object per line, {"time": RFC 3339 UTC with ms, "level", "service", "message",
//   "thread", then the LogContext fields of the logging thread (e.g. "batch")}, for log
//   shippers.
// In both, secrets are masked before a line is written (RedactSecrets).
void InitLogging(const std::string& service, const std::string& level,
                 const std::string& format = "text");

// The formatter InitLogging gives its sink for `format` ("text" or "json"): for tests and for
// tools that log elsewhere.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& service,
                                                    const std::string& format);

// InvalidArgument naming --log-level unless `level` is one spdlog knows (trace, debug, info,
// warn, error, critical, off); spdlog itself would silently turn a typo into "off".
absl::Status ValidateLogLevel(const std::string& level);

// InvalidArgument naming --log-format unless `format` is "text" or "json".
absl::Status ValidateLogFormat(const std::string& format);

// `text` with what must never reach a log masked: the password of a URI's user info
// ("postgresql://app:***@db/candor"), a key-value DSN's password ("password=***") and a bearer
// token ("Bearer ***"). Pure.
std::string RedactSecrets(std::string_view text);

// A field the JSON log lines of this thread carry while the LogContext lives ("batch" ->
// "review-submissions[0]@1200-1299"), so an operator can find every line of one batch or
// request. Nested contexts add fields; each removes its own on destruction. Thread-local.
class LogContext {
 public:
  LogContext(std::string key, std::string value);
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

  // The fields of the calling thread, outermost first.
  static const std::vector<std::pair<std::string, std::string>>& Fields();
};

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
