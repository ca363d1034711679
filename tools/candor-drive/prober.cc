#include "tools/candor-drive/prober.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/mix.h"

namespace candor::drive {
namespace {

// "Z" + 9 characters of A-Z0-9 from (seed, k): a product no other traffic uses (the generator's
// catalogue is "B0CD...", farms "B0FM..."). 36^9 ~ 1e14 values, so runs do not collide.
std::string ProbeAsin(uint64_t seed, int64_t k) {
  constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto v = static_cast<uint64_t>(UniformFor(seed ^ 0x9B0BE5ULL, static_cast<uint64_t>(k)) *
                                 101559956668416.0);  // 36^9
  std::string asin(10, 'Z');
  for (int i = 9; i >= 1; --i) {
    asin[static_cast<size_t>(i)] = kAlphabet[v % 36];
    v /= 36;
  }
  return asin;
}

}  // namespace

FreshnessProber::FreshnessProber(Connection& conn, const Operations& ops,
                                 const ProbeOptions& options)
    : conn_(conn),
      submit_(*ops[static_cast<size_t>(Op::kSubmit)]),
      summary_(*ops[static_cast<size_t>(Op::kSummary)]),
      options_(options) {
  char tag[16];
  std::snprintf(tag, sizeof(tag), "%06llx",
                static_cast<unsigned long long>((options.seed * 0x9E3779B97F4A7C15ULL) >> 40));
  tag_ = tag;
  reader_bearer_ = MintBearer(absl::StrCat(options.user_prefix, "probe-reader-", tag_),
                              options.jwt_secret, absl::Hours(24));
  stats_.enabled = true;
  stats_.per_second = options.per_second;
  stats_.poll_ms = std::chrono::duration<double, std::milli>(options.poll).count();
  stats_.timeout_s = std::chrono::duration<double>(options.timeout).count();
  thread_ = std::thread([this] { Loop(); });
}

FreshnessProber::~FreshnessProber() { Finish(); }

void FreshnessProber::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  next_launch_ = Clock::now();
  cv_.notify_all();
}

void FreshnessProber::StopLaunching() {
  std::lock_guard lock(mu_);
  stop_launching_ = true;
  cv_.notify_all();
}

FreshnessStats FreshnessProber::Finish() {
  StopLaunching();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  return stats_;
}

void FreshnessProber::LaunchLocked(int64_t k) {
  const int64_t id = next_id_++;
  Probe& p = active_[id];
  p.asin = ProbeAsin(options_.seed, k);
  CallInput in;
  in.review.user = absl::StrCat(options_.user_prefix, "probe", tag_, "-", k);
  in.review.asin = p.asin;
  in.review.rating = 4;
  in.review.title = "Freshness probe";
  in.review.body = absl::StrCat("Freshness probe ", k, " of load run ", tag_,
                                ": a plain four star review that no fraud rule flags.");
  in.review.verified_purchase = true;
  in.bearer = MintBearer(in.review.user, options_.jwt_secret, absl::Hours(1));
  ++stats_.probes;
  ++calls_in_flight_;
  submit_.Start(conn_, std::move(in), options_.deadline, [this, id](Answer a) {
    const Clock::time_point done = Clock::now();
    std::lock_guard lock(mu_);
    --calls_in_flight_;
    Probe& probe = active_[id];
    if (a.code != absl::StatusCode::kOk) {
      ++stats_.submit_failed;
      active_.erase(id);
    } else {
      probe.state = Probe::State::kPolling;
      probe.ok_at = done;
      probe.next_poll = done;
    }
    cv_.notify_all();
  });
}

void FreshnessProber::PollLocked(int64_t id, Probe& p) {
  CallInput in;
  in.asin = p.asin;
  in.bearer = reader_bearer_;
  const Clock::time_point sent = Clock::now();
  p.polling = true;
  ++calls_in_flight_;
  summary_.Start(conn_, std::move(in), options_.deadline, [this, id, sent](Answer a) {
    const Clock::time_point done = Clock::now();
    const bool visible = a.code == absl::StatusCode::kOk && a.view.review_count >= 1;
    std::lock_guard lock(mu_);
    --calls_in_flight_;
    auto it = active_.find(id);
    if (it != active_.end()) {
      Probe& probe = it->second;
      probe.polling = false;
      if (visible) {
        ++stats_.readable;
        stats_.readable_us.Record(
            std::chrono::duration_cast<std::chrono::microseconds>(done - probe.ok_at).count());
        active_.erase(it);
      } else {
        if (a.code != absl::StatusCode::kOk && a.code != absl::StatusCode::kNotFound) {
          ++stats_.poll_errors;
        }
        probe.next_poll = sent + options_.poll;
      }
    }
    cv_.notify_all();
  });
}

void FreshnessProber::Loop() {
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options_.per_second));
  int64_t k = 0;
  std::unique_lock lock(mu_);
  while (true) {
    const Clock::time_point now = Clock::now();
    if (started_ && !stop_launching_ && now >= next_launch_) {
      LaunchLocked(k++);
      next_launch_ += interval;
      if (next_launch_ < now) next_launch_ = now + interval;  // do not burst after a stall
    }
    Clock::time_point wake = now + std::chrono::milliseconds(100);
    if (started_ && !stop_launching_) wake = std::min(wake, next_launch_);
    for (auto it = active_.begin(); it != active_.end();) {
      Probe& p = it->second;
      if (p.state != Probe::State::kPolling || p.polling) {
        ++it;
        continue;
      }
      if (now - p.ok_at > options_.timeout) {
        ++stats_.timed_out;
        it = active_.erase(it);
        continue;
      }
      if (now >= p.next_poll)
        PollLocked(it->first, p);
      else
        wake = std::min(wake, p.next_poll);
      ++it;
    }
    if (stop_launching_ && active_.empty() && calls_in_flight_ == 0) return;
    cv_.wait_until(lock, wake);
  }
}

}  // namespace candor::drive
