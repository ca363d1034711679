#include "services/review-gateway/review_status_reader.h"

#include "absl/strings/str_cat.h"
#include "libs/core/error.h"
#include "libs/review/validation.h"

namespace candor::gateway {
namespace {

// One message for "not yours" and "no such review", so the answer tells nothing either way.
absl::Status NotFound(const std::string& review_id) {
  return absl::NotFoundError(absl::StrCat("review ", review_id, ": not found"));
}

absl::Status Unavailable(const absl::Status& cause) {
  return core::WithInternalDetail(
      absl::UnavailableError("review status unavailable; safe to retry"), cause.ToString());
}

}  // namespace

void ReviewStatusReader::Read(const std::string& user_id, const std::string& review_id, Done done) {
  if (absl::Status valid = review::ValidateReviewIdFormat(review_id); !valid.ok()) {
    done(std::move(valid));
    return;
  }
  const bool queued = executor_.TrySubmit([this, user_id, review_id, done] {
    absl::StatusOr<std::optional<reviewdb::ReviewDecision>> stored = decisions_.Get(review_id);
    if (!stored.ok()) {
      done(Unavailable(stored.status()));
      return;
    }
    if (!stored->has_value() || (*stored)->user_id != user_id) {
      AskGuard(user_id, review_id, stored->has_value(), done);
      return;
    }
    const reviewdb::ReviewDecision& d = **stored;
    ReviewStatusView view;
    view.review_id = review_id;
    view.status = d.status;
    view.decided_at = d.decided_at;
    if (d.decision != reviewdb::kUnscoredDecision) view.reasons = d.reasons;
    done(std::move(view));
  });
  if (!queued) {
    done(
        core::WithInternalDetail(absl::UnavailableError("review status unavailable; safe to retry"),
                                 "the Postgres read queue is full"));
  }
}

void ReviewStatusReader::AskGuard(const std::string& user_id, const std::string& review_id,
                                  bool stored, const Done& done) {
  guard_.WasConfirmed(user_id, review_id, clock_.Now(),
                      [review_id, stored, done](absl::StatusOr<bool> confirmed) {
                        if (!confirmed.ok()) {
                          done(Unavailable(confirmed.status()));
                          return;
                        }
                        // Stored under another user: never the caller's, whatever the guard says.
                        if (stored || !*confirmed) {
                          done(NotFound(review_id));
                          return;
                        }
                        ReviewStatusView view;
                        view.review_id = review_id;
                        view.status = review::ReviewStatus::kAwaitingScoring;
                        done(std::move(view));
                      });
}

}  // namespace candor::gateway
