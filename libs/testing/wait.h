#pragma once

#include <functional>

#include "absl/time/time.h"

namespace candor::testing {

// Waits until `condition` holds: checks it at once, then every `poll` until it returns true or
// `timeout` has passed. Returns whether it held (the last check's answer), so a test writes
// `ASSERT_TRUE(WaitUntil([&] { return Stored(id); }))` instead of sleeping. `condition` runs on
// the calling thread and may use gtest assertions (non-fatal ones keep the wait going).
bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(20),
               absl::Duration poll = absl::Milliseconds(50));

}  // namespace candor::testing
