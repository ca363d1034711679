#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace candor::core {

// Calls `report(elapsed since the previous call)` every `interval` on its own thread until
// destroyed (the destructor wakes and joins it at once). Services use it for their periodic
// stats line. `report` must be safe to call from that thread.
class PeriodicReporter {
 public:
  PeriodicReporter(absl::Duration interval, std::function<void(absl::Duration)> report)
      : interval_(interval), report_(std::move(report)), thread_([this] { Loop(); }) {}
  ~PeriodicReporter() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  PeriodicReporter(const PeriodicReporter&) = delete;
  PeriodicReporter& operator=(const PeriodicReporter&) = delete;

 private:
  void Loop() {
    absl::Time last = absl::Now();
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return done_; })) {
      absl::Time now = absl::Now();
      report_(now - last);
      last = now;
    }
  }

  absl::Duration interval_;
  std::function<void(absl::Duration)> report_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after everything it uses is initialised
};

}  // namespace candor::core
