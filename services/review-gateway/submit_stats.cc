#include "services/review-gateway/submit_stats.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::gateway {
namespace {

int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

std::string Ms(int64_t us) { return absl::StrFormat("%.2f", static_cast<double>(us) / 1e3); }

std::string Percentiles(const core::Histogram& h) {
  if (h.count() == 0) return "-";
  return absl::StrCat("p50 ", Ms(h.Percentile(50)), " ms p99 ", Ms(h.Percentile(99)), " ms");
}

}  // namespace

int64_t SubmitStats::Window::calls() const {
  int64_t n = 0;
  for (int64_t k : outcomes) n += k;
  return n;
}

void SubmitStats::Record(const Call& call) {
  absl::MutexLock lock(&mu_);
  ++current_.outcomes[static_cast<size_t>(call.outcome)];
  if (call.guard != absl::InfiniteDuration()) current_.guard_us.Record(Micros(call.guard));
  if (call.publish != absl::InfiniteDuration()) current_.publish_us.Record(Micros(call.publish));
  current_.total_us.Record(Micros(call.total));
}

SubmitStats::Window SubmitStats::Take() {
  Window fresh;
  absl::MutexLock lock(&mu_);
  std::swap(fresh, current_);
  return fresh;
}

std::string SubmitStats::Describe(const Window& w, absl::Duration interval) {
  const auto n = [&w](Outcome o) { return w.outcomes[static_cast<size_t>(o)]; };
  const double seconds = absl::ToDoubleSeconds(interval);
  const int64_t calls = w.calls();
  return absl::StrCat(
      calls, " in ", absl::StrFormat("%.1f", seconds), " s (",
      absl::StrFormat("%.0f", seconds > 0 ? static_cast<double>(calls) / seconds : 0.0),
      "/s): accepted ", n(Outcome::kAccepted), ", invalid ", n(Outcome::kInvalid), ", duplicate ",
      n(Outcome::kDuplicate), ", already reviewed ", n(Outcome::kAlreadyReviewed),
      ", rate limited ", n(Outcome::kRateLimited), ", guard unavailable ",
      n(Outcome::kGuardUnavailable), ", log unavailable ", n(Outcome::kLogUnavailable),
      ", in doubt ", n(Outcome::kInDoubt), ", log in doubt ", n(Outcome::kLogInDoubt), ", resumed ",
      n(Outcome::kResumed), " | guard (Redis) ", Percentiles(w.guard_us), " | publish (Kafka) ",
      Percentiles(w.publish_us), " | total ", Percentiles(w.total_us), " max ",
      Ms(w.total_us.max()), " ms");
}

}  // namespace candor::gateway
