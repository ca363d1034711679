#include "tools/candor-drive/runner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/shutdown.h"

namespace candor::drive {
namespace {

using Clock = std::chrono::steady_clock;

// What a shopper types into a product's review search: words common in instrument and gear
// reviews, one or two (ANDed), chosen by the call's number so a run is reproducible.
std::string SearchWords(uint64_t n) {
  static constexpr std::array<const char*, 16> kWords = {
      "sound", "strings", "price", "quality", "cable", "tuner", "battery", "easy",
      "noise", "volume",  "buzz",  "case",    "strap", "pedal", "great",   "works"};
  const char* first = kWords[n % kWords.size()];
  if ((n / kWords.size()) % 2 == 0) return first;
  return absl::StrCat(first, " ", kWords[(n / 7 + 3) % kWords.size()]);
}

class Runner {
 public:
  Runner(RunTargets& targets, const RunnerOptions& options)
      : t_(targets),
        o_(options),
        open_loop_(options.shape.rate > 0),
        schedule_(open_loop_ ? options.shape.rate : 1) {}

  LoadResult Run() {
    start_ = Clock::now();
    std::thread control([this] { ControlLoop(); });
    if (open_loop_) {
      SendOpenLoop();
    } else {
      SendClosedLoop();
    }
    sending_end_ = Clock::now();
    if (t_.prober != nullptr) t_.prober->StopLaunching();
    {
      std::unique_lock lock(mu_);
      slot_cv_.wait(lock, [this] { return in_flight_ == 0; });
      done_ = true;
    }
    control_cv_.notify_all();
    control.join();
    return Collect();
  }

 private:
  struct Call {
    uint64_t n = 0;
    Op op = Op::kSubmit;
    bool measured = false;
    Clock::time_point due, sent;
  };

  struct OpSlot {
    std::mutex mu;
    OpStats stats;
    core::Histogram second_us;  // every answer since the last timeline entry, warm-up included
    std::vector<Interval> timeline;
  };

  Nanos Since(Clock::time_point t) const { return std::chrono::duration_cast<Nanos>(t - start_); }

  // ---- open loop -----------------------------------------------------------------------------

  void SendOpenLoop() {
    const int64_t total = ScheduledCalls(o_.shape);
    const int64_t warmup_calls = schedule_.DueBefore(o_.shape.warmup);
    schedule_stats_.scheduled = std::max<int64_t>(total - warmup_calls, 0);
    schedule_stats_.late_after_ms =
        std::chrono::duration<double, std::milli>(o_.late_after).count();
    int64_t n = 0;
    for (; n < total; ++n) {
      if (core::ShutdownRequested()) {
        interrupted_ = true;
        break;
      }
      const Clock::time_point due = start_ + schedule_.Due(n);
      if (Clock::now() < due) std::this_thread::sleep_until(due);
      // A sender that cannot keep up (CPU-starved) gives up as one waiting for slots does.
      if (GiveUp(o_.shape, Since(Clock::now()), o_.give_up_grace)) break;
      if (!AcquireSlot()) break;
      const Clock::time_point sent = Clock::now();
      const bool measured = Measured(o_.shape, schedule_.Due(n));
      if (measured) {
        CallTiming timing = Judge(true, Since(due), Since(sent), Since(sent), o_.late_after);
        ++schedule_stats_.sent;
        schedule_stats_.lag_us.Record(timing.send_lag_us);
        if (timing.late) {
          ++schedule_stats_.late;
          late_total_.fetch_add(1, std::memory_order_relaxed);
        }
        last_measured_ns_ = std::max<int64_t>(last_measured_ns_, schedule_.Due(n + 1).count());
      } else {
        ++warmup_calls_;
      }
      Launch(static_cast<uint64_t>(n), due, sent, measured);
    }
    // Calls never sent: the schedule fell behind for good (or an interruption).
    schedule_stats_.unsent = std::max<int64_t>(total - std::max(n, warmup_calls), 0);
  }

  // Waits for a free slot under the in-flight bound; false when the sender must give up (a
  // shutdown, or a duration run that ended `give_up_grace` ago).
  bool AcquireSlot() {
    std::unique_lock lock(mu_);
    while (in_flight_ >= o_.concurrency) {
      if (core::ShutdownRequested()) {
        interrupted_ = true;
        return false;
      }
      if (GiveUp(o_.shape, Since(Clock::now()), o_.give_up_grace)) return false;
      ++sender_waiting_;
      slot_cv_.wait_for(lock, std::chrono::milliseconds(50));
      --sender_waiting_;
    }
    ++in_flight_;
    return true;
  }

  // ---- closed loop ---------------------------------------------------------------------------

  void SendClosedLoop() {
    for (int64_t i = 0; i < o_.concurrency; ++i) {
      {
        std::lock_guard lock(mu_);
        ++in_flight_;
      }
      if (!LaunchNextClosed()) {
        ReleaseSlot();
        break;
      }
    }
    // The chains run themselves from here; Run() waits for the last call to return.
  }

  // Starts the next call of a chain in a slot already held; false when the run is over.
  bool LaunchNextClosed() {
    if (core::ShutdownRequested()) {
      interrupted_ = true;
      return false;
    }
    const Clock::time_point now = Clock::now();
    const Nanos t = Since(now);
    const RunShape& s = o_.shape;
    if (s.duration.count() > 0 && t >= s.warmup + s.duration) return false;
    const bool measured = t >= s.warmup;
    if (measured && s.count > 0 && measured_sent_.fetch_add(1) >= s.count) return false;
    if (measured) {
      int64_t prev = last_measured_atomic_.load();
      while (prev < t.count() && !last_measured_atomic_.compare_exchange_weak(prev, t.count())) {
      }
    } else {
      warmup_atomic_.fetch_add(1);
    }
    Launch(next_n_.fetch_add(1), now, now, measured);
    return true;
  }

  void ReleaseSlot() {
    std::lock_guard lock(mu_);
    --in_flight_;
    if (in_flight_ == 0 || sender_waiting_ > 0) slot_cv_.notify_all();
  }

  // ---- calls ---------------------------------------------------------------------------------

  void Launch(uint64_t n, Clock::time_point due, Clock::time_point sent, bool measured) {
    auto* call = new Call;
    call->n = n;
    CallInput in;
    call->op = t_.workload->Make(n, &in);
    call->measured = measured;
    call->due = due;
    call->sent = sent;
    const Operation* op = (*t_.operations)[static_cast<size_t>(call->op)].get();
    if (op == nullptr) {  // refused by CheckServed before any run
      std::fprintf(stderr, "candor-drive: bug: unserved operation %s\n",
                   std::string(OpName(call->op)).c_str());
      std::abort();
    }
    Connection& c = (*t_.connections)[n % t_.connections->size()];
    sent_total_.fetch_add(1, std::memory_order_relaxed);
    op->Start(c, std::move(in), o_.deadline, [this, call](Answer a) { OnDone(call, a); });
  }

  void OnDone(Call* call, const Answer& answer) {
    const Clock::time_point answered = Clock::now();
    const absl::StatusCode code = answer.code;
    answered_total_.fetch_add(1, std::memory_order_relaxed);
    if (code != absl::StatusCode::kOk) non_ok_total_.fetch_add(1, std::memory_order_relaxed);
    if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded) {
      unreachable_total_.fetch_add(1, std::memory_order_relaxed);
    }
    const CallTiming timing =
        Judge(open_loop_, Since(call->due), Since(call->sent), Since(answered), o_.late_after);
    OpSlot& slot = slots_[static_cast<size_t>(call->op)];
    {
      std::lock_guard lock(slot.mu);
      slot.second_us.Record(timing.latency_us);
    }
    if (call->measured) {
      std::lock_guard lock(slot.mu);
      ++slot.stats.calls;
      if (timing.late) ++slot.stats.late;
      ++slot.stats.codes[code];
      slot.stats.latency_us.Record(timing.latency_us);
      slot.stats.service_us.Record(timing.service_us);
      if (ServerOf(call->op) == Server::kRecoApi && code == absl::StatusCode::kOk) {
        slot.stats.items += answer.items;
        if (answer.items == 0) ++slot.stats.empty;
      }
    }
    const int64_t answered_ns = Since(answered).count();
    int64_t latest = last_answer_ns_.load(std::memory_order_relaxed);
    while (latest < answered_ns &&
           !last_answer_ns_.compare_exchange_weak(latest, answered_ns, std::memory_order_relaxed)) {
    }
    const int64_t follow_up = t_.workload->OnAnswer(call->n, answer);
    if (follow_up >= 0 && !core::ShutdownRequested()) {
      // The follow-up keeps this call's slot and counts where its parent counted.
      const Clock::time_point now = Clock::now();
      const bool measured = call->measured;
      delete call;
      Launch(static_cast<uint64_t>(follow_up), now, now, measured);
      return;
    }
    delete call;
    if (!open_loop_ && LaunchNextClosed()) return;  // the chain keeps its slot
    ReleaseSlot();
  }

  // ---- progress and the prober ---------------------------------------------------------------

  void ControlLoop() {
    Clock::time_point next_line = start_ + std::chrono::seconds(1);
    int64_t previous_answered = 0;
    Clock::time_point previous = start_;
    std::unique_lock lock(mu_);
    while (!done_) {
      control_cv_.wait_until(lock,
                             std::min(next_line, Clock::now() + std::chrono::milliseconds(50)),
                             [this] { return done_; });
      if (done_) break;
      const Clock::time_point now = Clock::now();
      const bool measuring = Since(now) >= o_.shape.warmup;
      if (measuring && t_.prober != nullptr && !prober_started_) {
        prober_started_ = true;
        t_.prober->Start();
      }
      if (now < next_line) continue;
      next_line += std::chrono::seconds(1);
      const int64_t in_flight = in_flight_;
      lock.unlock();
      CloseSecond(now);
      if (!o_.progress) {
        lock.lock();
        continue;
      }
      const int64_t answered = answered_total_.load();
      const double dt = std::chrono::duration<double>(now - previous).count();
      const double rate = dt > 0 ? static_cast<double>(answered - previous_answered) / dt : 0;
      previous_answered = answered;
      previous = now;
      std::string p99s;
      for (Op op : o_.mix.Active()) {
        OpSlot& slot = slots_[static_cast<size_t>(op)];
        std::lock_guard slot_lock(slot.mu);
        const double second_ms =
            slot.timeline.empty() ? 0.0 : static_cast<double>(slot.timeline.back().p99_us) / 1e3;
        absl::StrAppend(
            &p99s, "  ", std::string(OpName(op)),
            absl::StrFormat(" p99 %.2f ms (this second %.2f)",
                            static_cast<double>(slot.stats.latency_us.Percentile(99)) / 1000.0,
                            second_ms));
      }
      std::string note = t_.workload->ProgressNote();
      if (!note.empty()) note.insert(0, "  ");
      std::fprintf(stderr,
                   "[%4.0fs] %-7s answered %6.0f/s  in flight %4lld  sent %lld  late %lld  "
                   "not OK %lld%s%s\n",
                   std::chrono::duration<double>(now - start_).count(),
                   measuring ? "measure" : "warm-up", rate, static_cast<long long>(in_flight),
                   static_cast<long long>(sent_total_.load()),
                   static_cast<long long>(late_total_.load()),
                   static_cast<long long>(non_ok_total_.load()), p99s.c_str(), note.c_str());
      lock.lock();
    }
  }

  // Ends the timeline's current second for every operation: the answers since the last call.
  void CloseSecond(Clock::time_point now) {
    Interval iv;
    iv.end_s = std::chrono::duration<double>(now - start_).count();
    iv.measured = Since(now) > o_.shape.warmup;
    for (Op op : o_.mix.Active()) {
      OpSlot& slot = slots_[static_cast<size_t>(op)];
      std::lock_guard lock(slot.mu);
      iv.calls = slot.second_us.count();
      iv.p50_us = slot.second_us.Percentile(50);
      iv.p99_us = slot.second_us.Percentile(99);
      iv.max_us = slot.second_us.max();
      slot.timeline.push_back(iv);
      slot.second_us = core::Histogram();
    }
  }

  LoadResult Collect() {
    CloseSecond(Clock::now());  // the answers of the last, partial second
    LoadResult r;
    for (Op op : o_.mix.Active()) {
      OpSlot& slot = slots_[static_cast<size_t>(op)];
      std::lock_guard lock(slot.mu);
      r.ops[op] = slot.stats;
      r.timeline[op] = std::move(slot.timeline);
    }
    r.schedule = schedule_stats_;
    r.answered = answered_total_.load();
    r.unreachable = unreachable_total_.load();
    r.interrupted = interrupted_ || core::ShutdownRequested();
    r.active_s = static_cast<double>(last_answer_ns_.load()) / 1e9;
    const RunShape& s = o_.shape;
    double end_s = 0;
    if (open_loop_) {
      r.warmup_calls = warmup_calls_;
      end_s = static_cast<double>(last_measured_ns_) / 1e9;
    } else {
      r.warmup_calls = warmup_atomic_.load();
      end_s = static_cast<double>(last_measured_atomic_.load()) / 1e9;
    }
    const double warmup_s = std::chrono::duration<double>(s.warmup).count();
    if (s.duration.count() > 0 && !r.interrupted) {
      // A full duration run: the window is the duration (a closed loop's last send falls a few
      // microseconds short of it).
      end_s = warmup_s + std::chrono::duration<double>(s.duration).count();
      if (open_loop_ && r.schedule.unsent > 0) {
        end_s = std::chrono::duration<double>(sending_end_ - start_).count();
      }
    }
    r.window_s = std::max(end_s - warmup_s, 0.0);
    return r;
  }

  RunTargets& t_;
  const RunnerOptions o_;
  const bool open_loop_;
  const OpenLoopSchedule schedule_;
  std::array<OpSlot, kOpCount> slots_;
  Clock::time_point start_;
  Clock::time_point sending_end_;
  std::atomic<int64_t> last_answer_ns_{0};  // since start_: the latest answer so far

  std::mutex mu_;
  std::condition_variable slot_cv_;
  std::condition_variable control_cv_;
  int64_t in_flight_ = 0;
  int64_t sender_waiting_ = 0;
  bool done_ = false;
  bool prober_started_ = false;
  std::atomic<bool> interrupted_{false};

  // Open loop: touched by the sending thread only.
  ScheduleStats schedule_stats_;
  int64_t warmup_calls_ = 0;
  int64_t last_measured_ns_ = 0;  // due time of the call after the last measured one
  // Closed loop: updated from gRPC's threads.
  std::atomic<uint64_t> next_n_{0};
  std::atomic<int64_t> measured_sent_{0};
  std::atomic<int64_t> warmup_atomic_{0};
  std::atomic<int64_t> last_measured_atomic_{0};

  std::atomic<int64_t> sent_total_{0}, answered_total_{0}, non_ok_total_{0}, unreachable_total_{0},
      late_total_{0};
};

}  // namespace

Op MixWorkload::Make(uint64_t n, CallInput* input) {
  const Op op = mix_.Pick(UniformFor(seed_, n));
  switch (op) {
    case Op::kSubmit: {
      Request r = feed_.Next();
      input->review = std::move(r.review);
      input->bearer = std::move(r.bearer);
      break;
    }
    case Op::kImport: {
      // A fresh review from the feed, as its author's history: the file's time, or for generated
      // traffic (which has none) the time of sending.
      Request r = feed_.Next();
      input->review = std::move(r.review);
      if (!input->review.submitted_at) input->review.submitted_at = absl::Now();
      input->bearer = importer_bearer_;
      break;
    }
    case Op::kNoop: {
      const Request& r = noop_pool_[n % noop_pool_.size()];
      input->review = r.review;
      input->bearer = r.bearer;
      break;
    }
    case Op::kSummary:
    case Op::kList:
      input->asin = feed_.SummaryAsin();
      input->bearer = reader_bearer_;
      break;
    case Op::kSearch:
      input->asin = feed_.SummaryAsin();
      input->query = SearchWords(n);
      input->bearer = reader_bearer_;
      break;
    case Op::kRecommend: {
      // A shopper asks for their own list, with their own token.
      const Shopper& shopper = feed_.RecoShopper();
      input->user_id = shopper.user;
      input->bearer = shopper.bearer;
      input->count = reco_count_;
      break;
    }
    case Op::kSimilar:
      input->asin = feed_.SummaryAsin();
      input->bearer = reader_bearer_;
      input->count = reco_count_;
      break;
    default:  // no payload yet; the runner refuses unserved operations
      break;
  }
  return op;
}

LoadResult RunLoad(RunTargets& targets, const RunnerOptions& options) {
  Runner runner(targets, options);
  return runner.Run();
}

}  // namespace candor::drive
