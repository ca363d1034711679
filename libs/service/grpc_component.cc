#include "libs/service/grpc_component.h"

#include "libs/core/log.h"

namespace candor::service {

absl::Status GrpcComponent::Start() {
  if (absl::Status s = host_.Start(); !s.ok()) return s;
  port_ = host_.port();
  spdlog::info("{} listening on {} (port {})", name_, listen_, port_.load());
  return absl::OkStatus();
}

}  // namespace candor::service
