#include "tools/candor-drive/schedule.h"

#include <algorithm>
#include <cmath>

namespace candor::drive {

Nanos OpenLoopSchedule::Due(int64_t n) const {
  return Nanos(std::llround(static_cast<double>(n) * 1e9 / rate_));
}

int64_t OpenLoopSchedule::DueBefore(Nanos elapsed) const {
  if (elapsed.count() <= 0) return 0;
  // An estimate from floating point, then corrected against Due() itself so the two agree.
  auto n = static_cast<int64_t>(std::ceil(static_cast<double>(elapsed.count()) * rate_ / 1e9));
  n = std::max<int64_t>(n, 0);
  while (n > 0 && Due(n - 1) >= elapsed) --n;
  while (Due(n) < elapsed) ++n;
  return n;
}

int64_t ScheduledCalls(const RunShape& shape) {
  if (shape.rate <= 0) return -1;
  OpenLoopSchedule schedule(shape.rate);
  const int64_t warmup_calls = schedule.DueBefore(shape.warmup);
  int64_t total = -1;
  if (shape.duration.count() > 0) total = schedule.DueBefore(shape.warmup + shape.duration);
  if (shape.count > 0) {
    const int64_t by_count = warmup_calls + shape.count;
    total = total < 0 ? by_count : std::min(total, by_count);
  }
  return std::max<int64_t>(total, 0);
}

CallTiming Judge(bool open_loop, Nanos scheduled, Nanos sent, Nanos answered, Nanos late_after) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  CallTiming t;
  t.service_us = duration_cast<microseconds>(answered - sent).count();
  if (!open_loop) {
    t.latency_us = t.service_us;
    return t;
  }
  t.latency_us = duration_cast<microseconds>(answered - scheduled).count();
  const Nanos lag = std::max(sent - scheduled, Nanos(0));
  t.send_lag_us = duration_cast<microseconds>(lag).count();
  t.late = lag > late_after;
  return t;
}

bool Measured(const RunShape& shape, Nanos t) {
  if (t < shape.warmup) return false;
  return shape.duration.count() <= 0 || t < shape.warmup + shape.duration;
}

bool GiveUp(const RunShape& shape, Nanos now, Nanos grace) {
  if (shape.duration.count() <= 0) return false;
  return now > shape.warmup + shape.duration + grace;
}

}  // namespace candor::drive
