#include "libs/core/log.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_color_sinks.h"

namespace candor::core {
namespace {

thread_local std::vector<std::pair<std::string, std::string>> log_fields;

void AppendJsonString(std::string_view s, spdlog::memory_buf_t& out) {
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);  // UTF-8 passes through as is
        }
    }
  }
  out.push_back('"');
}

// One JSON object per event. The service name is fixed per process.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const absl::Time t = absl::FromChrono(msg.time);
    dest.append(std::string_view("{\"time\":\""));
    dest.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
    dest.append(std::string_view("\",\"level\":"));
    const auto level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(std::string_view(level.data(), level.size()), dest);
    dest.append(std::string_view(",\"service\":"));
    AppendJsonString(service_, dest);
    dest.append(std::string_view(",\"message\":"));
    AppendJsonString(RedactSecrets(std::string_view(msg.payload.data(), msg.payload.size())), dest);
    fmt::format_to(std::back_inserter(dest), ",\"thread\":{}", msg.thread_id);
    for (const auto& [key, value] : log_fields) {
      dest.push_back(',');
      AppendJsonString(key, dest);
      dest.push_back(':');
      AppendJsonString(value, dest);
    }
    dest.append(std::string_view("}\n"));
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(service_);
  }

 private:
  std::string service_;
};

// The text pattern, with secrets masked in the message first.
class RedactingFormatter final : public spdlog::formatter {
 public:
  explicit RedactingFormatter(std::unique_ptr<spdlog::formatter> inner)
      : inner_(std::move(inner)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string redacted = RedactSecrets(payload);
    if (redacted.size() == payload.size() && redacted == payload) {
      return inner_->format(msg, dest);
    }
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(redacted.data(), redacted.size());
    inner_->format(copy, dest);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<RedactingFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

// Masks from `from` up to the first character in `stops` (or the end) in `s`.
size_t MaskUntil(std::string& s, size_t from, std::string_view stops) {
  size_t end = s.find_first_of(stops, from);
  if (end == std::string::npos) end = s.size();
  if (end > from) s.replace(from, end - from, "***");
  return from + 3;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  std::string s(text);
  if (s.find("://") == std::string::npos && s.find("assword=") == std::string::npos &&
      s.find("earer ") == std::string::npos) {
    return s;
  }
  // scheme://user:password@host: the password is between the first ':' after "://" and the '@'
  // that ends the user info (before any '/', whitespace or quote).
  for (size_t at = s.find("://"); at != std::string::npos; at = s.find("://", at + 3)) {
    const size_t start = at + 3;
    const size_t end = s.find_first_of("/ \t\n'\"?#", start);
    const std::string_view authority =
        std::string_view(s).substr(start, (end == std::string::npos ? s.size() : end) - start);
    const size_t arobase = authority.rfind('@');
    if (arobase == std::string_view::npos) continue;
    const size_t colon = authority.substr(0, arobase).find(':');
    if (colon == std::string_view::npos) continue;
    s.replace(start + colon + 1, arobase - colon - 1, "***");
  }
  for (std::string_view key : {"password=", "PASSWORD=", "Password="}) {
    for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) {
      at = MaskUntil(s, at + key.size(), " \t\n'\"&;,");
    }
  }
  for (std::string_view key : {"Bearer ", "bearer "}) {
    for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) {
      at = MaskUntil(s, at + key.size(), " \t\n'\",;");
    }
  }
  return s;
}

LogContext::LogContext(std::string key, std::string value) {
  log_fields.emplace_back(std::move(key), std::move(value));
}

LogContext::~LogContext() { log_fields.pop_back(); }

const std::vector<std::pair<std::string, std::string>>& LogContext::Fields() { return log_fields; }

std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& service,
                                                    const std::string& format) {
  if (format == "json") return std::make_unique<JsonFormatter>(service);
  return std::make_unique<RedactingFormatter>(std::make_unique<spdlog::pattern_formatter>(
      "%Y-%m-%dT%H:%M:%S.%e %^%L%$ " + service + " %v"));
}

void InitLogging(const std::string& service, const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_color_mt(service);
  logger->set_formatter(MakeLogFormatter(service, format));
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

absl::Status ValidateLogLevel(const std::string& level) {
  static constexpr const char* kLevels[] = {"trace", "debug",    "info", "warn",
                                            "error", "critical", "off"};
  for (const char* known : kLevels) {
    if (level == known) return absl::OkStatus();
  }
  return absl::InvalidArgumentError("--log-level: unknown level '" + level +
                                    "' (trace, debug, info, warn, error, critical, off)");
}

absl::Status ValidateLogFormat(const std::string& format) {
  if (format == "text" || format == "json") return absl::OkStatus();
  return absl::InvalidArgumentError("--log-format: unknown format '" + format + "' (text, json)");
}

}  // namespace candor::core
