#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "libs/core/histogram.h"
#include "tools/candor-drive/client.h"
#include "tools/candor-drive/outcomes.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

struct DriverOptions {
  double rate = 500;         // submissions per second, follow-ups included; 0 = closed loop
  int64_t concurrency = 64;  // calls in flight at most (closed loop: exactly, while work remains)
  absl::Duration deadline = absl::Milliseconds(2000);  // per call
  bool progress = true;                                // a status line on stderr every second
};

struct DriveResult {
  std::vector<Outcome> outcomes;  // by request number (see Plan)
  core::Histogram latency_us;     // SubmitReview, from send to answer
  double duration_s = 0;          // first send to last answer
  bool interrupted = false;       // SIGINT / SIGTERM stopped the sending early
  bool any_ok = false;
  std::chrono::steady_clock::time_point last_ok;  // when the last OK answer arrived
};

// Sends the plan through the gRPC callback API: primaries paced at `rate` (open loop: the
// schedule does not wait for answers, only for a free slot under `concurrency`), each follow-up
// right after its primary's answer, in the slot the primary frees. Every user's token comes from
// `tokens`. Stops sending when core::ShutdownRequested(); always waits for the calls in flight
// (each has a deadline, so this ends). Blocks; the stub must outlive the call.
DriveResult Drive(ReviewStub& stub, const Plan& plan, const TokenBook& tokens,
                  const DriverOptions& options);

}  // namespace candor::drive
