#pragma once

#include <chrono>
#include <cstdint>

namespace candor::drive {

using Nanos = std::chrono::nanoseconds;

// When each call of an open-loop run is due: call n (0-based) leaves at start + n / rate,
// whether or not earlier calls were answered. Pure; rate must be > 0.
class OpenLoopSchedule {
 public:
  explicit OpenLoopSchedule(double rate) : rate_(rate) {}
  double rate() const { return rate_; }
  // Offset from the start at which call n is due (rounded to the nanosecond).
  Nanos Due(int64_t n) const;
  // How many calls are due strictly before `elapsed`: the smallest n with Due(n) >= elapsed
  // (0 for elapsed <= 0).
  int64_t DueBefore(Nanos elapsed) const;

 private:
  double rate_;
};

// The length of a run. Warm-up calls are sent like the others but left out of every figure.
struct RunShape {
  double rate = 0;    // calls per second, open loop; 0 = closed loop
  Nanos warmup{0};    // from the start
  Nanos duration{0};  // measured part after the warm-up; 0 = until `count` calls
  int64_t count = 0;  // measured calls; 0 = until `duration` has passed
};

// Open loop: the number of calls to schedule in all (warm-up included): those due before
// warmup + duration, or the warm-up's calls plus `count`, whichever is fewer (either bound may
// be absent, not both). Closed loop: -1 (not known in advance).
int64_t ScheduledCalls(const RunShape& shape);

// How one call went against the clock. `scheduled` is when the schedule wanted the call to
// leave (open loop), `sent` when it left, `answered` when the answer arrived.
struct CallTiming {
  int64_t latency_us = 0;   // what the report calls latency: from `scheduled` in an open loop
                            // (so time spent waiting to be sent counts: no coordinated
                            // omission), from `sent` in a closed loop
  int64_t service_us = 0;   // from `sent`: what the server and network took
  int64_t send_lag_us = 0;  // sent - scheduled (0 in a closed loop)
  bool late = false;        // open loop: left more than `late_after` after its due time
};

CallTiming Judge(bool open_loop, Nanos scheduled, Nanos sent, Nanos answered, Nanos late_after);

// Whether a call whose reference time is `t` (open loop: its due time; closed loop: when it was
// sent) counts in the figures: at or after the warm-up, and (with a duration) before its end.
bool Measured(const RunShape& shape, Nanos t);

// Open loop with a duration: the sender gives up on calls it still has not sent `grace` after
// the end of the run (the schedule fell behind for good); those count as unsent. Runs bounded
// by a count never give up.
bool GiveUp(const RunShape& shape, Nanos now, Nanos grace);

}  // namespace candor::drive
