#pragma once

#include <iostream>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "libs/service/service_app.h"

namespace candor::service {

// What a service's main() hands to ServiceMain: its names, and its config's flags, checks and
// composition root. `Config` must hold a ServiceConfig as `service`.
template <typename Config>
struct ServiceSpec {
  const char* name;     // "fraud-scorer": the binary is candor-<name>, log lines say <name>
  const char* summary;  // the first paragraph of --help
  void (*register_flags)(core::Flags&, Config*);
  absl::Status (*validate)(const Config&);
  absl::StatusOr<std::unique_ptr<ServiceApp>> (*create_app)(const Config&);
  // Optional: checks of the files the settings name (a model, an address list), run after
  // `validate` and before anything connects. A failure is a bad setting, not an outage: it is
  // reported the same way and exits 2.
  absl::Status (*check_files)(const Config&) = nullptr;
  // Optional: a one-shot command the settings may ask for instead of the service (index-writer's
  // --rebuild): run after logging starts; returns the exit code, or -1 to run the service.
  int (*run_command)(const Config&) = nullptr;
};

// Runs `app` (just created) until SIGTERM / SIGINT. Logs why it cannot start or why it
// stopped on an error. Returns main's exit code: 0 after a clean stop, 1 otherwise.
int RunUntilShutdown(absl::StatusOr<std::unique_ptr<ServiceApp>> app);

// The whole main() of a service (style.md, Wiring): runtime settings and the signal latch, flags
// (--help prints them, exit 0), then the settings' checks, whose failure is reported on stderr
// with exit 2 before logging exists (a bad --log-level would silence it), then logging, the App
// and its run (RunUntilShutdown).
template <typename Config>
int ServiceMain(int argc, char** argv, const ServiceSpec<Config>& service) {
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
  if (service.check_files != nullptr) {
    if (absl::Status s = service.check_files(config); !s.ok()) {
      std::cerr << argv[0] << ": " << s.message() << "\n";
      return 2;
    }
  }
  core::InitLogging(service.name, config.service.log_level, config.service.log_format);
  if (service.run_command != nullptr) {
    if (const int rc = service.run_command(config); rc >= 0) return rc;
  }
  return RunUntilShutdown(service.create_app(config));
}

// The same for a service laid out as style.md says: the namespace of its `Config` declares
// `RegisterFlags(core::Flags&, Config*)` and `ValidateConfig(const Config&)` (config.h) and
// `CreateApp(const Config&)` (app.h), which this finds there (argument-dependent lookup), and,
// when it declares them, `CheckConfigFiles(const Config&)` (ServiceSpec::check_files) and
// `RunCommand(const Config&)` (ServiceSpec::run_command).
template <typename Config>
int ServiceMain(int argc, char** argv, const char* name, const char* summary) {
  ServiceSpec<Config> spec{
      .name = name,
      .summary = summary,
      .register_flags = [](core::Flags& flags, Config* config) { RegisterFlags(flags, config); },
      .validate = [](const Config& config) { return ValidateConfig(config); },
      .create_app = [](const Config& config) { return CreateApp(config); }};
  if constexpr (requires(const Config& c) { CheckConfigFiles(c); }) {
    spec.check_files = [](const Config& config) { return CheckConfigFiles(config); };
  }
  if constexpr (requires(const Config& c) { RunCommand(c); }) {
    spec.run_command = [](const Config& config) { return RunCommand(config); };
  }
  return ServiceMain<Config>(argc, argv, spec);
}

}  // namespace candor::service
