#include "services/review-gateway/review_intake.h"

#include "absl/strings/str_cat.h"
#include "libs/core/error.h"
#include "libs/core/log.h"
#include "libs/review/fingerprint.h"
#include "libs/review/ip_address.h"
#include "libs/review/validation.h"

namespace candor::gateway {

using Outcome = SubmitStats::Outcome;

void ReviewIntake::Submit(const Caller& caller, const review::SubmissionInput& input, Done done) {
  const absl::Time start = clock_.Now();
  if (absl::Status valid = review::ValidateSubmission(input); !valid.ok()) {
    Finish(false, {.outcome = Outcome::kInvalid}, start, std::move(valid), done);
    return;
  }
  review::Submission s = review::Admitted(input, caller.user_id, caller.client_ip, start);
  s.account_created_at = caller.account_created_at;
  Admit(std::move(s), start, std::move(done));
}

void ReviewIntake::Import(const ImportInput& input, Done done) {
  const absl::Time start = clock_.Now();
  auto invalid = [&](absl::Status status) {
    Finish(true, {.outcome = Outcome::kInvalid}, start, std::move(status), done);
  };
  if (absl::Status valid = review::ValidateSubmission(input.review); !valid.ok()) {
    return invalid(std::move(valid));
  }
  if (!input.submitted_at) {
    return invalid(absl::InvalidArgumentError(
        "submitted_at: required (the review's original submission time)"));
  }
  if (absl::Status valid = review::ValidateImportTime(*input.submitted_at, start); !valid.ok()) {
    return invalid(std::move(valid));
  }
  std::string client_ip;
  if (!input.client_ip.empty()) {
    std::optional<review::IpAddress> ip = review::IpAddress::Parse(input.client_ip);
    if (!ip) {
      return invalid(absl::InvalidArgumentError(
          "client_ip: must be an IPv4 or IPv6 address (no port, scheme, brackets or zone)"));
    }
    client_ip = ip->ToString();
  }
  review::Submission s =
      review::Admitted(input.review, input.user_id, client_ip, *input.submitted_at);
  s.imported = true;
  s.account_created_at = input.account_created_at;
  Admit(std::move(s), start, std::move(done));
}

void ReviewIntake::Admit(review::Submission s, absl::Time start, Done done) {
  // fraud-scorer runs this check too: a token subject or peer it would refuse is refused here,
  // never answered OK and dead-lettered (I1).
  if (absl::Status valid = review::ValidateGatewayFields(s); !valid.ok()) {
    Finish(s.imported, {.outcome = Outcome::kInvalid}, start, std::move(valid), done);
    return;
  }

  // The guard's clock is the gateway's, for an import too: its windows and markers are about
  // when the gateway saw the submission. The callback gets its own copy: `s` itself is still
  // being read by Admit.
  guard_.Admit(
      s, start,
      [this, s, start, done = std::move(done)](absl::StatusOr<GuardVerdict> verdict) mutable {
        SubmitStats::Call call;
        call.guard = clock_.Now() - start;
        OnVerdict(std::move(s), verdict, call, start, std::move(done));
      });
}

void ReviewIntake::Finish(bool imported, SubmitStats::Call call, absl::Time start,
                          absl::StatusOr<std::string> answer, const Done& done) {
  call.total = clock_.Now() - start;
  StatsFor(imported).Record(call);
  done(std::move(answer));
}

void ReviewIntake::OnVerdict(review::Submission s, const absl::StatusOr<GuardVerdict>& verdict,
                             SubmitStats::Call call, absl::Time start, Done done) {
  if (!verdict.ok()) {
    // The script may still have run (a reply lost to a timeout or a dropped connection): its
    // markers stay unconfirmed, and the client's identical retry resumes them.
    call.outcome = Outcome::kGuardUnavailable;
    Finish(s.imported, call, start,
           core::WithInternalDetail(
               absl::UnavailableError("dedup store unavailable; safe to retry the same request"),
               verdict.status().ToString()),
           done);
    return;
  }
  const GuardPolicy& policy = guard_.policy();
  switch (verdict->kind) {
    case GuardVerdict::Kind::kDuplicate:
      call.outcome = Outcome::kDuplicate;
      Finish(
          s.imported, call, start,
          absl::AlreadyExistsError(absl::StrCat(
              "duplicate: this review was already submitted (review_id ", verdict->review_id, ")")),
          done);
      return;
    case GuardVerdict::Kind::kAlreadyReviewed:
      call.outcome = Outcome::kAlreadyReviewed;
      Finish(s.imported, call, start,
             absl::AlreadyExistsError(absl::StrCat("already reviewed: one review per product per ",
                                                   absl::FormatDuration(policy.per_product_window),
                                                   " (asin ", s.asin, ", review_id ",
                                                   verdict->review_id, ")")),
             done);
      return;
    case GuardVerdict::Kind::kInDoubt:
      call.outcome = Outcome::kInDoubt;
      Finish(s.imported, call, start,
             absl::AbortedError(absl::StrCat(
                 "an earlier submission (review_id ", verdict->review_id,
                 ") of this review or for this product was not confirmed and may be stored; "
                 "resend that submission unchanged to complete it")),
             done);
      return;
    case GuardVerdict::Kind::kRateLimited: {
      int64_t secs = absl::ToInt64Seconds(absl::Ceil(verdict->retry_after, absl::Seconds(1)));
      call.outcome = Outcome::kRateLimited;
      Finish(s.imported, call, start,
             core::WithRetryDelay(
                 absl::ResourceExhaustedError(absl::StrCat(
                     "rate limited: at most ", policy.user_limit, " reviews per ",
                     absl::FormatDuration(policy.user_window), "; retry after ", secs, " s")),
                 verdict->retry_after),
             done);
      return;
    }
    case GuardVerdict::Kind::kAdmitted:
    case GuardVerdict::Kind::kResumed:
      break;
  }
  const bool resumed = verdict->kind == GuardVerdict::Kind::kResumed;
  // The review id is derived from the fingerprint, so however often one submission is published
  // (a resumed one again), it lands on one row (I1).
  const absl::Time published_at = clock_.Now();
  log_.Publish(s, [this, s, call, start, published_at, resumed,
                   done = std::move(done)](absl::Status published) mutable {
    call.publish = clock_.Now() - published_at;
    if (published.ok()) {
      // Answer once the markers say "confirmed", so the client's next identical submission is a
      // duplicate. If confirming fails the markers stay unconfirmed, which only means that
      // submission would be published once more (and land on the same row).
      call.outcome = resumed ? Outcome::kResumed : Outcome::kAccepted;
      guard_.Confirm(s, clock_.Now(), [this, s, call, start, done](absl::Status confirmed) {
        if (!confirmed.ok()) {
          spdlog::warn("confirming guard keys of {} failed (it stays resumable): {}", s.review_id,
                       confirmed);
        }
        Finish(s.imported, call, start, s.review_id, done);
      });
      return;
    }
    if (published.code() == absl::StatusCode::kDeadlineExceeded) {
      // The log may hold it (a request timed out in flight). Releasing the keys now could let a
      // second review of this product be stored beside it; keeping them unconfirmed lets the
      // identical retry publish again and settle it.
      call.outcome = Outcome::kLogInDoubt;
      Finish(s.imported, call, start,
             core::WithInternalDetail(
                 absl::UnavailableError(absl::StrCat(
                     "review log did not confirm in time and may have stored it; retry the same "
                     "request to complete it (review_id ",
                     s.review_id, ")")),
                 published.ToString()),
             done);
      return;
    }
    // Certainly not stored: release the keys so any submission may follow. Answer only once the
    // release is done, so the client's retry cannot race it. A failed release leaves the keys
    // unconfirmed: the identical retry still resumes them.
    call.outcome = Outcome::kLogUnavailable;
    guard_.Release(s, [this, s, call, start, published, done](absl::Status released) {
      if (!released.ok()) {
        spdlog::warn("release of guard keys for {} failed (it stays resumable): {}", s.review_id,
                     released);
      }
      Finish(s.imported, call, start,
             core::WithInternalDetail(
                 absl::UnavailableError("review log did not take it in time; safe to retry"),
                 published.ToString()),
             done);
    });
  });
}

}  // namespace candor::gateway
