#pragma once

#include <iostream>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "libs/service/consumer_app.h"

namespace candor::service {

// What a consumer service's main() hands to ConsumerMain: its names, and its config's flags,
// checks and composition root. `Config` must hold a ConsumerConfig as `consumer`.
template <typename Config>
struct ConsumerService {
  const char* name;     // "fraud-scorer": the binary is candor-<name>, log lines say <name>
  const char* summary;  // the first paragraph of --help
  void (*register_flags)(core::Flags&, Config*);
  absl::Status (*validate)(const Config&);
  absl::StatusOr<std::unique_ptr<ConsumerApp>> (*create_app)(const Config&);
};

// Runs `app` (just created) until SIGTERM / SIGINT. Logs why it cannot start or why it
// stopped on an error. Returns main's exit code: 0 after a clean stop, 1 otherwise.
int RunUntilShutdown(absl::StatusOr<std::unique_ptr<ConsumerApp>> app);

// The whole main() of a consumer service (style.md, Wiring): runtime settings and the signal
// latch, flags (--help prints them, exit 0), then the settings' checks, whose failure is reported
// on stderr with exit 2 before logging exists (a bad --log-level would silence it), then logging,
// the App and its run (RunUntilShutdown).
template <typename Config>
int ConsumerMain(int argc, char** argv, const ConsumerService<Config>& service) {
  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  Config config;
  core::Flags flags(std::string("candor-") + service.name, service.summary);
  service.register_flags(flags, &config);
  if (int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (absl::Status s = service.validate(config); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n(see --help)\n";
    return 2;
  }
  core::InitLogging(service.name, config.consumer.log_level);
  return RunUntilShutdown(service.create_app(config));
}

}  // namespace candor::service
