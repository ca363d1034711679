#include <iostream>

#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "services/review-gateway/app.h"

int main(int argc, char** argv) {
  candor::gateway::Config config;
  candor::core::Flags flags(
      "candor-review-gateway",
      "Candor's public review API: gRPC (--listen) and REST/JSON (--http-port; routes from the\n"
      "protos' google.api.http options, OpenAPI at /openapi.json).\n"
      "The HS256 secret comes from $CANDOR_JWT_SECRET only.");
  candor::gateway::RegisterFlags(flags, &config);
  if (int code = candor::core::ParseOrExit(flags, argc, argv); code >= 0) return code;

  // Bad settings are reported before logging exists (a bad --log-level would silence it).
  if (absl::Status s = candor::gateway::Validate(config); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n(see --help)\n";
    return 2;
  }
  candor::core::InitLogging("review-gateway", config.log_level, config.log_format);
  candor::core::ConfigureRuntime();
  candor::core::InstallSignalHandlers();
  auto app = candor::gateway::App::Create(config);
  if (!app.ok()) {
    spdlog::critical("startup failed: {}", app.status());
    return 1;
  }
  absl::Status s = (*app)->Run([] { return candor::core::ShutdownRequested(); });
  if (!s.ok()) {
    spdlog::critical("stopped with error: {}", s);
    return 1;
  }
  return 0;
}
