#include "tools/candor-drive/driver.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "libs/core/shutdown.h"

namespace candor::drive {
namespace {

using Clock = std::chrono::steady_clock;

class Driver {
 public:
  Driver(ReviewStub& stub, const Plan& plan, const TokenBook& tokens, const DriverOptions& o)
      : stub_(stub), plan_(plan), tokens_(tokens), options_(o) {
    result_.outcomes.resize(plan.size());
  }

  DriveResult Run() {
    const size_t primaries = plan_.primaries.size();
    start_ = Clock::now();
    last_answer_ = start_;
    std::thread progress;
    if (options_.progress) progress = std::thread([this] { ProgressLoop(); });

    // Primaries are spaced so that, with their follow-ups, the whole plan goes at `rate`.
    const double per_primary_s =
        options_.rate > 0 && primaries > 0
            ? static_cast<double>(plan_.size()) / (options_.rate * static_cast<double>(primaries))
            : 0;
    for (size_t i = 0; i < primaries; ++i) {
      if (core::ShutdownRequested()) break;
      if (per_primary_s > 0) {
        std::this_thread::sleep_until(
            start_ + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(per_primary_s * static_cast<double>(i))));
      }
      if (!AcquireSlot()) break;
      Launch(i);
    }
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return in_flight_ == 0; });
      done_ = true;
    }
    cv_.notify_all();
    if (progress.joinable()) progress.join();

    result_.interrupted = core::ShutdownRequested();
    result_.duration_s = std::chrono::duration<double>(last_answer_ - start_).count();
    return std::move(result_);
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    review::v1::SubmitReviewRequest req;
    review::v1::SubmitReviewResponse resp;
    size_t n = 0;
    Clock::time_point start;
  };

  // Waits for a free slot; false when a shutdown was requested meanwhile.
  bool AcquireSlot() {
    std::unique_lock lock(mu_);
    while (in_flight_ >= options_.concurrency) {
      if (core::ShutdownRequested()) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    ++in_flight_;
    ++sent_;
    return true;
  }

  // Starts request `n` in a slot already taken.
  void Launch(size_t n) {
    const Review& r = plan_.at(n).review;
    auto* call = new Call;
    call->n = n;
    call->req.set_asin(r.asin);
    call->req.set_rating(r.rating);
    call->req.set_title(r.title);
    call->req.set_body(r.body);
    call->req.set_verified_purchase(r.verified_purchase);
    call->ctx.AddMetadata("authorization", tokens_.BearerFor(r.user));
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(options_.deadline));
    call->start = Clock::now();
    stub_.async()->SubmitReview(&call->ctx, &call->req, &call->resp,
                                [this, call](grpc::Status s) { OnDone(call, s); });
  }

  void OnDone(Call* call, const grpc::Status& s) {
    const Clock::time_point now = Clock::now();
    Outcome o;
    o.answered = true;
    o.code = static_cast<absl::StatusCode>(s.error_code());
    if (s.ok()) {
      o.review_id = call->resp.review_id();
    } else {
      o.message = s.error_message();
    }
    const size_t n = call->n;
    const int64_t latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(now - call->start).count();
    delete call;

    const int64_t follow_up = n < plan_.primaries.size() ? plan_.FollowUpNumber(n) : -1;
    const bool send_follow_up = follow_up >= 0 && !core::ShutdownRequested();
    {
      std::lock_guard lock(mu_);
      result_.latency_us.Record(latency_us);
      if (o.code == absl::StatusCode::kOk) {
        ++ok_;
        result_.any_ok = true;
        result_.last_ok = now;
      } else if (o.code == absl::StatusCode::kAlreadyExists) {
        ++duplicate_;
      } else if (o.code == absl::StatusCode::kResourceExhausted) {
        ++limited_;
      } else if (o.code == absl::StatusCode::kInvalidArgument) {
        ++invalid_;
      } else {
        ++failed_;
      }
      ++answered_;
      if (now > last_answer_) last_answer_ = now;
      result_.outcomes[n] = std::move(o);
      if (send_follow_up) {
        ++sent_;  // the follow-up keeps this call's slot
      } else {
        --in_flight_;
        cv_.notify_all();
        return;  // nothing may touch `this` after the last slot is released
      }
    }
    Launch(static_cast<size_t>(follow_up));
  }

  void ProgressLoop() {
    int64_t previous_answered = 0;
    Clock::time_point previous = Clock::now();
    std::unique_lock lock(mu_);
    while (!done_) {
      cv_.wait_until(lock, previous + std::chrono::seconds(1), [this] { return done_; });
      if (done_) break;
      const Clock::time_point now = Clock::now();
      const double dt = std::chrono::duration<double>(now - previous).count();
      const double rate = dt > 0 ? static_cast<double>(answered_ - previous_answered) / dt : 0;
      std::fprintf(stderr,
                   "[%4.0fs] sent %lld/%zu  ok %lld  dup %lld  limited %lld  invalid %lld  "
                   "errors %lld  rate %.0f/s  p99 %.2f ms\n",
                   std::chrono::duration<double>(now - start_).count(),
                   static_cast<long long>(sent_), plan_.size(), static_cast<long long>(ok_),
                   static_cast<long long>(duplicate_), static_cast<long long>(limited_),
                   static_cast<long long>(invalid_), static_cast<long long>(failed_), rate,
                   static_cast<double>(result_.latency_us.Percentile(99)) / 1000.0);
      previous_answered = answered_;
      previous = now;
    }
  }

  ReviewStub& stub_;
  const Plan& plan_;
  const TokenBook& tokens_;
  const DriverOptions options_;
  Clock::time_point start_;

  std::mutex mu_;
  std::condition_variable cv_;
  int64_t in_flight_ = 0;
  bool done_ = false;
  int64_t sent_ = 0, answered_ = 0;
  int64_t ok_ = 0, duplicate_ = 0, limited_ = 0, invalid_ = 0, failed_ = 0;
  Clock::time_point last_answer_;
  DriveResult result_;
};

}  // namespace

DriveResult Drive(ReviewStub& stub, const Plan& plan, const TokenBook& tokens,
                  const DriverOptions& options) {
  Driver driver(stub, plan, tokens, options);
  return driver.Run();
}

}  // namespace candor::drive
