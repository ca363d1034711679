#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/core/histogram.h"

namespace candor::gateway {

// How SubmitReview calls ended over an interval, and where their time went: the guard's round
// trip to Redis, the log's wait for Kafka's delivery report, and the whole call. The gateway logs
// it every --stats-interval-s, so an operator (or a benchmark) can tell which store a slow tail
// waits on. Thread-safe: one short lock per finished call.
class SubmitStats {
 public:
  enum class Outcome {
    kAccepted,
    kInvalid,
    kDuplicate,
    kAlreadyReviewed,
    kRateLimited,
    kGuardUnavailable,
    kLogUnavailable,
    kInDoubt,     // refused: an unconfirmed earlier submission may be stored (ABORTED)
    kLogInDoubt,  // the log did not confirm and may hold it: keys kept, UNAVAILABLE
    kResumed,     // accepted by publishing an unconfirmed earlier submission again
  };
  static constexpr size_t kOutcomes = 10;

  // Durations that a call did not reach (an invalid call has no guard time, a refused one no
  // publish time) are passed as absl::InfiniteDuration() and not recorded.
  struct Call {
    Outcome outcome = Outcome::kAccepted;
    absl::Duration guard = absl::InfiniteDuration();
    absl::Duration publish = absl::InfiniteDuration();
    absl::Duration total = absl::ZeroDuration();
  };

  struct Window {
    std::array<int64_t, kOutcomes> outcomes{};
    core::Histogram guard_us;
    core::Histogram publish_us;
    core::Histogram total_us;
    int64_t calls() const;
  };

  void Record(const Call& call);

  // The calls recorded since the previous Take, and a fresh window.
  Window Take();

  // One log line: "<n> in <interval> (<rate>/s): accepted a, invalid b, ... | guard (Redis) p50
  // x ms p99 y ms | publish (Kafka) p50 ... | total p50 ... p99 ... max ...".
  static std::string Describe(const Window& w, absl::Duration interval);

 private:
  absl::Mutex mu_;
  Window current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::gateway
