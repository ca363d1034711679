#pragma once

#include <functional>
#include <optional>
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
  std::string client_ip;  // canonical IP address (ClientAddressResolver), or "" when unknown
  std::optional<absl::Time> account_created_at;  // the token's `acct_created` claim
};

// One review an earlier system hands over (ImportReview): the shopper's fields plus what a
// live submission gets from the token and the transport, and its original time.
struct ImportInput {
  review::SubmissionInput review;
  std::string user_id;
  std::string client_ip;  // any spelling of an IP address, or "" when unknown
  std::optional<absl::Time> account_created_at;
  std::optional<absl::Time> submitted_at;  // required
};

// The domain step of SubmitReview (design.md 3.1-3.3): validate, fingerprint, admit through the
// guard, publish to the log, and acknowledge only after the log confirmed. What the client is told
// is always true of what is stored:
//  - OK (with the review id) only after the log confirmed; the guard's markers are then confirmed.
//  - When the log certainly did not take it, the markers are released and the answer is
//    Unavailable: anything may be sent next.
//  - When the outcome is unknown (the log's report says "may be stored", the guard's reply was
//    lost, the gateway died mid-call), the markers stay unconfirmed: the identical retry is
//    published again and answered OK with the same review id; a retry that differs is Aborted
//    naming the review in doubt, never told "duplicate" of something that may not exist.
// Knows nothing of gRPC, Redis or Kafka. Counts every call's outcome and times its waits on the
// clock (stats()). Thread-safe if its ports are. Borrows the ports and the clock.
class ReviewIntake {
 public:
  using Done = std::function<void(absl::StatusOr<std::string>)>;

  ReviewIntake(SubmissionGuard& guard, SubmissionLog& log, const core::Clock& clock)
      : guard_(guard), log_(log), clock_(clock) {}

  // `done` gets the review id on success, or: InvalidArgument (message names the field);
  // AlreadyExists (the same text is stored, or this user has a review of this product within
  // the policy's window; the message names the review id); Aborted (an unconfirmed earlier
  // submission may be stored; resend it unchanged); ResourceExhausted (the policy's limit,
  // named in the message, with core::RetryDelay set); Unavailable (guard store or log
  // unreachable or not confirming; client-safe message, internals in core::InternalDetail).
  // `done` runs exactly once, on this thread, the guard's I/O thread or the log's delivery
  // thread; it must not block.
  void Submit(const Caller& caller, const review::SubmissionInput& input, Done done);

  // The import path (a service-role call): `input` validated as Submit validates, plus its time
  // (review::ValidateImportTime against the clock: from 1995, not in the future) and its client
  // address (canonicalised; InvalidArgument "client_ip: ..." for one that is no IP address).
  // The submission is marked imported and keeps the original time; the guard holds it to the
  // exact-duplicate rule only (GuardPolicy). Then as Submit: publish, confirm, answer; the same
  // answers except ResourceExhausted and the per-product AlreadyExists, which do not apply.
  void Import(const ImportInput& input, Done done);

  SubmitStats& stats() { return stats_; }
  SubmitStats& import_stats() { return import_stats_; }

 private:
  // Validates `s` (built from a valid SubmissionInput) and sends it through the guard and the
  // log; `start` is when the call began.
  void Admit(review::Submission s, absl::Time start, Done done);
  // The stats a call of `s` counts in: imports apart from live submissions.
  SubmitStats& StatsFor(bool imported) { return imported ? import_stats_ : stats_; }
  // Records the call in its stats, its total counted from `start`, and answers.
  void Finish(bool imported, SubmitStats::Call call, absl::Time start,
              absl::StatusOr<std::string> answer, const Done& done);
  void OnVerdict(review::Submission s, const absl::StatusOr<GuardVerdict>& verdict,
                 SubmitStats::Call call, absl::Time start, Done done);

  SubmissionGuard& guard_;
  SubmissionLog& log_;
  const core::Clock& clock_;
  SubmitStats stats_;
  SubmitStats import_stats_;
};

}  // namespace candor::gateway
