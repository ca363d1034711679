#include "services/review-gateway/review_intake.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace candor::gateway {

using Outcome = SubmitStats::Outcome;

void ReviewIntake::Submit(const Caller& caller, const review::SubmissionInput& input, Done done) {
  const absl::Time start = clock_.Now();
  if (absl::Status valid = review::ValidateSubmission(input); !valid.ok()) {
    Finish({.outcome = Outcome::kInvalid}, start, std::move(valid), done);
    return;
  }
  review::Submission s;
  s.asin = input.asin;
  s.user_id = caller.user_id;
  s.rating = static_cast<int>(input.rating);
  s.title = input.title;
  s.body = input.body;
  s.verified_purchase = input.verified_purchase;
  s.device_id = input.device_id;
  s.client_ip = caller.client_ip;
  s.submitted_at = start;
  s.fingerprint = review::Fingerprint(s.asin, s.user_id, s.body);
  s.review_id = review::ReviewIdFromFingerprint(s.fingerprint);
  // fraud-scorer runs this check too: a token subject or peer it would refuse is refused here,
  // never answered OK and dead-lettered (I1).
  if (absl::Status valid = review::ValidateGatewayFields(s); !valid.ok()) {
    Finish({.outcome = Outcome::kInvalid}, start, std::move(valid), done);
    return;
  }

  // The callback gets its own copy: `s` itself is still being read by Admit.
  guard_.Admit(
      s, s.submitted_at,
      [this, s, start, done = std::move(done)](absl::StatusOr<GuardVerdict> verdict) mutable {
        SubmitStats::Call call;
        call.guard = clock_.Now() - start;
        OnVerdict(std::move(s), verdict, call, start, std::move(done));
      });
}

void ReviewIntake::Finish(SubmitStats::Call call, absl::Time start,
                          absl::StatusOr<std::string> answer, const Done& done) {
  call.total = clock_.Now() - start;
  stats_.Record(call);
  done(std::move(answer));
}

void ReviewIntake::OnVerdict(review::Submission s, const absl::StatusOr<GuardVerdict>& verdict,
                             SubmitStats::Call call, absl::Time start, Done done) {
  if (!verdict.ok()) {
    call.outcome = Outcome::kGuardUnavailable;
    Finish(call, start,
           absl::UnavailableError(
               absl::StrCat("dedup store unavailable: ", verdict.status().message())),
           done);
    return;
  }
  switch (verdict->kind) {
    case GuardVerdict::Kind::kDuplicate:
      call.outcome = Outcome::kDuplicate;
      Finish(call, start,
             absl::AlreadyExistsError(absl::StrCat(
                 "duplicate: this review was already submitted (review_id ", s.review_id, ")")),
             done);
      return;
    case GuardVerdict::Kind::kAlreadyReviewed:
      call.outcome = Outcome::kAlreadyReviewed;
      Finish(call, start,
             absl::AlreadyExistsError(absl::StrCat(
                 "already reviewed: one review per product per 24 hours (asin ", s.asin, ")")),
             done);
      return;
    case GuardVerdict::Kind::kRateLimited: {
      int64_t secs = absl::ToInt64Seconds(absl::Ceil(verdict->retry_after, absl::Seconds(1)));
      call.outcome = Outcome::kRateLimited;
      Finish(call, start,
             absl::ResourceExhaustedError(absl::StrCat(
                 "rate limited: at most 10 reviews per 24 hours; retry after ", secs, " s")),
             done);
      return;
    }
    case GuardVerdict::Kind::kAdmitted:
      break;
  }
  // The guard keys stay only if the log confirms; otherwise they are released so a retry is
  // not refused as a duplicate. The review id is derived from the fingerprint, so if the log
  // took the message after all, the retry lands on the same row (I1).
  const absl::Time published_at = clock_.Now();
  log_.Publish(s, [this, s, call, start, published_at,
                   done = std::move(done)](absl::Status published) mutable {
    call.publish = clock_.Now() - published_at;
    if (published.ok()) {
      call.outcome = Outcome::kAccepted;
      Finish(call, start, s.review_id, done);
      return;
    }
    // Answer only once the keys are released, so the client's retry cannot race the release.
    call.outcome = Outcome::kLogUnavailable;
    guard_.Release(s, [this, s, call, start, published, done](absl::Status released) {
      if (!released.ok()) {
        spdlog::warn("release of guard keys for {} failed: {}", s.review_id, released);
      }
      Finish(call, start,
             absl::UnavailableError(absl::StrCat(
                 "review log did not confirm in time; safe to retry: ", published.message())),
             done);
    });
  });
}

}  // namespace candor::gateway
