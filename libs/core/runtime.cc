#include "libs/core/runtime.h"

#include "absl/synchronization/mutex.h"

namespace candor::core {

void ConfigureRuntime() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace candor::core
