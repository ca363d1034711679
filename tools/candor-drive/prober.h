#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "tools/candor-drive/operation.h"
#include "tools/candor-drive/report.h"

namespace candor::drive {

struct ProbeOptions {
  double per_second = 1;
  std::chrono::nanoseconds poll = std::chrono::milliseconds(5);
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  absl::Duration deadline = absl::Seconds(5);  // per call
  uint64_t seed = 1;
  std::string user_prefix;
  std::string jwt_secret;
};

// Freshness probes: submit OK -> the review visible in GetProductSummary. Each probe submits a
// review (4 stars, a plain text no fraud rule flags, a fresh user) about a product of its own
// that no other traffic touches ("Z" + 9 random characters), so its summary goes from NOT_FOUND
// to a count of 1 exactly when this review has been scored, aggregated and written to Redis.
// After the submit's OK answer the summary is polled every `poll` (one poll in flight per probe)
// until it shows the review: the time from the OK answer to the answer that showed it is
// recorded. A probe not readable `timeout` after its OK is a failure.
// Thread-safe; runs its own thread. Callers: Start, then StopLaunching, then Finish.
class FreshnessProber {
 public:
  // `conn` and `ops` must outlive the prober.
  FreshnessProber(Connection& conn, const Operations& ops, const ProbeOptions& options);
  ~FreshnessProber();

  // Starts launching probes at the configured rate (idempotent).
  void Start();
  // No new probes from now on; those under way continue.
  void StopLaunching();
  // Stops launching, waits until every probe under way is readable or timed out, and returns
  // the figures.
  FreshnessStats Finish();

 private:
  using Clock = std::chrono::steady_clock;
  struct Probe {
    enum class State { kSubmitting, kPolling } state = State::kSubmitting;
    Clock::time_point ok_at;
    Clock::time_point next_poll;
    bool polling = false;  // a poll is in flight
    std::string asin;
  };
  void Loop();
  void LaunchLocked(int64_t k);
  void PollLocked(int64_t id, Probe& p);

  Connection& conn_;
  const Operation& submit_;
  const Operation& summary_;
  ProbeOptions options_;
  std::string tag_;
  std::string reader_bearer_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stop_launching_ = false;
  int64_t next_id_ = 0;
  int64_t calls_in_flight_ = 0;
  Clock::time_point next_launch_;
  std::map<int64_t, Probe> active_;
  FreshnessStats stats_;
  std::thread thread_;
};

}  // namespace candor::drive
