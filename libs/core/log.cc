#include "libs/core/log.h"

#include "spdlog/sinks/stdout_color_sinks.h"

namespace candor::core {

void InitLogging(const std::string& service, const std::string& level) {
  auto logger = spdlog::stderr_color_mt(service);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ " + service + " %v");
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

}  // namespace candor::core
