#include "libs/service/reconcile_config.h"

namespace candor::service {

void RegisterReconcileFlags(core::Flags& flags, const ReconcileFlagSpec& spec,
                            ReconcileConfig* config) {
  flags.AddBool("check", "", &config->check, spec.check_help);
  if (spec.repair_help != nullptr) flags.AddBool("repair", "", &config->repair, spec.repair_help);
  flags.AddInt("page", "", &config->page, spec.page_help, 1, 10000);
  flags.AddInt("settle-ms", "", &config->settle_ms,
               "--check: a difference is compared again after this long and counts only if it "
               "persists (the service writes just after its commits); 0: compare once",
               0, 600000);
}

absl::Status ValidateReconcileConfig(const ReconcileConfig& config) {
  if (config.check && config.repair) {
    return absl::InvalidArgumentError("--check and --repair: one at a time");
  }
  return absl::OkStatus();
}

}  // namespace candor::service
