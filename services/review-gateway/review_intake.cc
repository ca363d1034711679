#include "services/review-gateway/review_intake.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace candor::gateway {

void ReviewIntake::Submit(const Caller& caller, const review::SubmissionInput& input,
                          std::function<void(absl::StatusOr<std::string>)> done) {
  if (absl::Status valid = review::ValidateSubmission(input); !valid.ok()) {
    done(valid);
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
  s.submitted_at = clock_.Now();
  s.fingerprint = review::Fingerprint(s.asin, s.user_id, s.body);
  s.review_id = review::ReviewIdFromFingerprint(s.fingerprint);

  // The callback gets its own copy: `s` itself is still being read by Admit.
  guard_.Admit(s, s.submitted_at,
               [this, s, done = std::move(done)](absl::StatusOr<GuardVerdict> verdict) mutable {
                 OnVerdict(std::move(s), verdict, std::move(done));
               });
}

void ReviewIntake::OnVerdict(review::Submission s, const absl::StatusOr<GuardVerdict>& verdict,
                             std::function<void(absl::StatusOr<std::string>)> done) {
  if (!verdict.ok()) {
    done(absl::UnavailableError(
        absl::StrCat("dedup store unavailable: ", verdict.status().message())));
    return;
  }
  switch (verdict->kind) {
    case GuardVerdict::Kind::kDuplicate:
      done(absl::AlreadyExistsError(absl::StrCat(
          "duplicate: this review was already submitted (review_id ", s.review_id, ")")));
      return;
    case GuardVerdict::Kind::kAlreadyReviewed:
      done(absl::AlreadyExistsError(absl::StrCat(
          "already reviewed: one review per product per 24 hours (asin ", s.asin, ")")));
      return;
    case GuardVerdict::Kind::kRateLimited: {
      int64_t secs = absl::ToInt64Seconds(absl::Ceil(verdict->retry_after, absl::Seconds(1)));
      done(absl::ResourceExhaustedError(
          absl::StrCat("rate limited: at most 10 reviews per 24 hours; retry after ", secs, " s")));
      return;
    }
    case GuardVerdict::Kind::kAdmitted:
      break;
  }
  // The guard keys stay only if the log confirms; otherwise they are released so a retry is
  // not refused as a duplicate. The review id is derived from the fingerprint, so if the log
  // took the message after all, the retry lands on the same row (I1).
  log_.Publish(s, [this, s, done = std::move(done)](absl::Status published) {
    if (published.ok()) {
      done(s.review_id);
      return;
    }
    // Answer only once the keys are released, so the client's retry cannot race the release.
    guard_.Release(s, [s, published, done](absl::Status released) {
      if (!released.ok()) {
        spdlog::warn("release of guard keys for {} failed: {}", s.review_id, released);
      }
      done(absl::UnavailableError(absl::StrCat(
          "review log did not confirm in time; safe to retry: ", published.message())));
    });
  });
}

}  // namespace candor::gateway
