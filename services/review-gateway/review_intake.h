#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/review/submission.h"
#include "services/review-gateway/submission_guard.h"
#include "services/review-gateway/submission_log.h"
#include "services/review-gateway/submit_stats.h"

namespace candor::gateway {

// Who submits, as established by authentication and the transport.
struct Caller {
  std::string user_id;
  std::string client_ip;
};

// The domain step of SubmitReview (design.md 3.1-3.3): validate, fingerprint, admit through the
// guard, publish to the log, and acknowledge only after the log confirmed. When the log does not
// confirm, the guard's keys are released so the client can retry. Knows nothing of gRPC, Redis
// or Kafka. Counts every call's outcome and times its waits on the clock (stats()). Thread-safe
// if its ports are. Borrows the ports and the clock.
class ReviewIntake {
 public:
  using Done = std::function<void(absl::StatusOr<std::string>)>;

  ReviewIntake(SubmissionGuard& guard, SubmissionLog& log, const core::Clock& clock)
      : guard_(guard), log_(log), clock_(clock) {}

  // `done` gets the review id on success, or:
  //   InvalidArgument   (message names the field), AlreadyExists (duplicate text, or this user
  //   reviewed this product within 24 h), ResourceExhausted (daily limit; message has the retry
  //   hint in seconds), Unavailable (guard store or log unreachable / not confirming).
  // `done` runs exactly once, on this thread, the guard's I/O thread or the log's delivery
  // thread; it must not block.
  void Submit(const Caller& caller, const review::SubmissionInput& input, Done done);

  SubmitStats& stats() { return stats_; }

 private:
  // Records the call in stats_, its total counted from `start`, and answers.
  void Finish(SubmitStats::Call call, absl::Time start, absl::StatusOr<std::string> answer,
              const Done& done);
  void OnVerdict(review::Submission s, const absl::StatusOr<GuardVerdict>& verdict,
                 SubmitStats::Call call, absl::Time start, Done done);

  SubmissionGuard& guard_;
  SubmissionLog& log_;
  const core::Clock& clock_;
  SubmitStats stats_;
};

}  // namespace candor::gateway
