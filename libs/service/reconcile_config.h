#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::service {

// The reconciliation job's one-shot commands (design.md 5), which a service that owns an
// invariant offers instead of running: --check compares what it writes with the truth and prints
// the drift (exit 0 none, 1 some), --repair (where offered) fixes it and checks again. A
// difference is compared again after `settle_ms` (the service writes just after its commits), and
// only what persists counts. Each service's README says what it compares.
struct ReconcileConfig {
  bool check = false;
  bool repair = false;
  int64_t page = 500;        // rows (products, reviews) per store page
  int64_t settle_ms = 2000;  // wait before a difference is compared again; 0: once

  // Whether a one-shot command replaces the service.
  bool requested() const { return check || repair; }
};

// The help texts of a service's reconciliation flags: what --check compares, what --repair does
// (nullptr: the service has no --repair) and what one page holds.
struct ReconcileFlagSpec {
  const char* check_help = "";
  const char* repair_help = nullptr;
  const char* page_help = "products per Postgres page for --check and --repair";
};

// Registers --check, --repair (when spec.repair_help is set), --page and --settle-ms; the
// defaults are `config`'s current values. `config` must outlive the parse.
void RegisterReconcileFlags(core::Flags& flags, const ReconcileFlagSpec& spec,
                            ReconcileConfig* config);

// --check and --repair at once: InvalidArgument naming both.
absl::Status ValidateReconcileConfig(const ReconcileConfig& config);

}  // namespace candor::service
