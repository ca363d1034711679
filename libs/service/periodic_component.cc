#include "libs/service/periodic_component.h"

namespace candor::service {

absl::Status PeriodicComponent::Start() {
  timer_ = std::make_unique<core::PeriodicReporter>(
      options_.interval, [tick = options_.tick](absl::Duration) { tick(); });
  return absl::OkStatus();
}

void PeriodicComponent::Stop() {
  // A tick can take long (a full heal of a large table pages through all of it): cut it short at
  // its next step rather than make shutdown wait for it.
  if (options_.cancel) options_.cancel();
  timer_.reset();
}

std::string PeriodicComponent::StatsLine() const {
  return options_.stats ? options_.stats() : std::string();
}

}  // namespace candor::service
