#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/review/reason.h"
#include "libs/review/review_status.h"
#include "services/review-gateway/executor.h"
#include "services/review-gateway/review_decisions.h"
#include "services/review-gateway/submission_guard.h"

namespace candor::gateway {

// What the author of a review is told about it (GetReviewStatus). Plain value type.
struct ReviewStatusView {
  std::string review_id;
  review::ReviewStatus status = review::ReviewStatus::kAwaitingScoring;
  std::optional<absl::Time> decided_at;  // the latest decision; nullopt while awaiting scoring
  // The latest decision's reasons, most important first; empty while awaiting scoring and when
  // the decision failed open (unscored: what failed was Candor's, not the author's).
  std::vector<review::Reason> reasons;
};

// The domain step of GetReviewStatus: where a caller's own review stands, and why. The stored
// row (ReviewDecisions, read on `executor`: it blocks) answers for a scored review; a review the
// log confirmed but the scorer has not stored yet is kAwaitingScoring, known from the guard
// (SubmissionGuard::WasConfirmed, for the caller's own submissions only). It never tells
// whether someone else's review exists: another user's review and an unknown id take the same
// steps (the stored row, then the guard) and get the same NotFound. Borrows everything.
// Thread-safe.
class ReviewStatusReader {
 public:
  using Done = std::function<void(absl::StatusOr<ReviewStatusView>)>;

  ReviewStatusReader(ReviewDecisions& decisions, SubmissionGuard& guard, Executor& executor,
                     const core::Clock& clock)
      : decisions_(decisions), guard_(guard), executor_(executor), clock_(clock) {}

  // Answers `done` exactly once, inline (a malformed id, a full executor queue), on an executor
  // thread or on the guard's I/O thread; `done` must not block. Errors: InvalidArgument for an id
  // that is not 32 lower-case hex characters; NotFound "review <id>: not found" when `user_id`
  // has no such review (whoever else may); Unavailable when the store or the guard did not
  // answer, or the executor's queue is full.
  void Read(const std::string& user_id, const std::string& review_id, Done done);

 private:
  // After the stored row was read: the guard decides between "awaiting scoring" and NotFound.
  void AskGuard(const std::string& user_id, const std::string& review_id, bool stored,
                const Done& done);

  ReviewDecisions& decisions_;
  SubmissionGuard& guard_;
  Executor& executor_;
  const core::Clock& clock_;
};

}  // namespace candor::gateway
