// candor-fraud-scorer: scores review submissions, stores them, announces the accepted ones.
#include <iostream>

#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/config.h"

int main(int argc, char** argv) {
  using namespace candor;
  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  fraud_scorer::Config config;
  core::Flags flags("candor-fraud-scorer",
                    "Consumes review-submissions, scores each review for fraud, stores it with its "
                    "audit row in Postgres and publishes Accepted events to review-events.");
  fraud_scorer::RegisterFlags(flags, &config);
  if (int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (absl::Status s = fraud_scorer::ValidateConfig(config); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n(see --help)\n";
    return 2;
  }
  core::InitLogging("fraud-scorer", config.consumer.log_level);

  auto app = fraud_scorer::CreateApp(config);
  if (!app.ok()) {
    spdlog::error("startup failed: {}", app.status());
    return 1;
  }
  if (absl::Status s = (*app)->Run([] { return core::ShutdownRequested(); }); !s.ok()) {
    spdlog::error("stopped on error: {}", s);
    return 1;
  }
  return 0;
}
