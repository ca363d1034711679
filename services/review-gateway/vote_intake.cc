#include "services/review-gateway/vote_intake.h"

#include "absl/strings/str_cat.h"
#include "libs/core/error.h"
#include "libs/review/review_status.h"
#include "libs/review/validation.h"

namespace candor::gateway {
namespace {

absl::Status Unavailable(absl::string_view what, const absl::Status& cause) {
  return core::WithInternalDetail(absl::UnavailableError(absl::StrCat(what, "; safe to retry")),
                                  cause.ToString());
}

}  // namespace

void VoteIntake::Vote(const std::string& user_id, const std::string& review_id, review::Vote vote,
                      Done done) {
  if (absl::Status s = review::ValidateReviewIdFormat(review_id); !s.ok()) {
    done(std::move(s));
    return;
  }
  const absl::Time now = clock_.Now();
  // Microseconds: what the ledger stores, so a replay compares equal to its own row.
  review::HelpfulVote v{review_id, "", user_id, vote,
                        absl::FromUnixMicros(absl::ToUnixMicros(now))};
  limiter_.Admit(
      user_id, now, [this, v = std::move(v), done](absl::StatusOr<VoteAdmission> a) mutable {
        if (!a.ok()) {
          done(Unavailable("vote limit unavailable", a.status()));
          return;
        }
        if (!a->admitted) {
          done(core::WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(
                                        "votes: at most ", limiter_.limit(), " per user in ",
                                        absl::FormatDuration(limiter_.window()), "; retry after ",
                                        absl::FormatDuration(a->retry_after))),
                                    a->retry_after));
          return;
        }
        Check(std::move(v), done);
      });
}

void VoteIntake::Check(review::HelpfulVote v, const Done& done) {
  const bool queued = executor_.TrySubmit([this, v, done]() mutable {
    absl::StatusOr<std::optional<reviewdb::ReviewHead>> head = reads_.Head(v.review_id);
    if (!head.ok()) {
      done(Unavailable("review store unavailable", head.status()));
      return;
    }
    if (!head->has_value()) {
      done(absl::NotFoundError(absl::StrCat("review ", v.review_id, ": not found")));
      return;
    }
    const reviewdb::ReviewHead& h = **head;
    if (h.user_id == v.user_id) {
      done(absl::PermissionDeniedError(
          absl::StrCat("review ", v.review_id, ": a vote on one's own review is not allowed")));
      return;
    }
    if (h.status != review::ReviewStatus::kActive) {
      done(absl::FailedPreconditionError(absl::StrCat("review ", v.review_id, ": is ",
                                                      std::string(review::StatusName(h.status)),
                                                      ", only active reviews take votes")));
      return;
    }
    v.asin = h.asin;
    log_.Publish(v, [v, done](absl::Status s) {
      if (!s.ok()) {
        done(Unavailable("vote not confirmed by the event log", s));
        return;
      }
      done(v);
    });
  });
  if (!queued) done(absl::UnavailableError("review store busy; safe to retry"));
}

}  // namespace candor::gateway
