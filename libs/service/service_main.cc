#include "libs/service/service_main.h"

namespace candor::service {

int RunUntilShutdown(absl::StatusOr<std::unique_ptr<ServiceApp>> app) {
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

}  // namespace candor::service
