#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/review/helpful_vote.h"
#include "services/review-gateway/executor.h"
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// The domain step of VoteHelpful: the user's flood limit (one Redis round trip), the review's
// facts (a Postgres read on `executor`), then the vote published to the log, answered only after
// the log confirmed (as a submit is). Duplicates and flips are not refused here: the vote is the
// user's latest word, and the ranker's ledger keeps one vote per user per review (a repeated
// vote changes nothing there). Knows nothing of gRPC, Redis, Postgres or Kafka. Borrows
// everything. Thread-safe.
class VoteIntake {
 public:
  using Done = std::function<void(absl::StatusOr<review::HelpfulVote>)>;

  VoteIntake(VoteLimiter& limiter, ReviewReads& reads, Executor& executor, VoteLog& log,
             const core::Clock& clock)
      : limiter_(limiter), reads_(reads), executor_(executor), log_(log), clock_(clock) {}

  // `done` gets the vote as published, or: InvalidArgument (review_id malformed); ResourceExhausted
  // ("votes: ...", core::RetryDelay set) when the user's limit is reached (every attempt counts);
  // NotFound (no such review); PermissionDenied (the caller's own review); FailedPrecondition (not
  // active); Unavailable (a store or the log did not answer, or the executor is full). `done`
  // runs exactly once and must not block.
  void Vote(const std::string& user_id, const std::string& review_id, review::Vote vote, Done done);

 private:
  void Check(review::HelpfulVote v, const Done& done);

  VoteLimiter& limiter_;
  ReviewReads& reads_;
  Executor& executor_;
  VoteLog& log_;
  const core::Clock& clock_;
};

}  // namespace candor::gateway
