#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/clock.h"
#include "libs/review/submission.h"
#include "services/fraud-scorer/accepted_publisher.h"
#include "services/fraud-scorer/review_repository.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

// Counters for the stats line. Written by the consumer thread, readable from any thread.
struct IntakeStats {
  std::atomic<int64_t> pass{0};
  std::atomic<int64_t> queue{0};
  std::atomic<int64_t> reject{0};
  std::atomic<int64_t> unscored{0};
  std::atomic<int64_t> inserted{0};    // new review rows
  std::atomic<int64_t> duplicates{0};  // already stored (redelivery) or repeated in a batch
  std::atomic<int64_t> published{0};   // Accepted events confirmed
  // Reviews the scorer failed on as a whole (an error instead of a decision), failed open:
  // stored unscored. Counted when scored, so a batch scored again counts again.
  std::atomic<int64_t> failed_open{0};
};

// A batch scored and not yet stored: the first stage's result, the second stage's input.
struct ScoredBatch {
  std::vector<ScoredReview> reviews;  // each distinct review id once, in batch order
  int64_t repeats = 0;                // review ids repeated inside the batch, dropped
};

// The fraud-scorer's write path for one batch (design.md 3.4): score every submission, store the
// batch in one transaction, then announce the active ones. Knows nothing of Kafka or Postgres.
// Borrows its ports.
//
// The two stages can run apart, so that a consume loop scores the next batch while this one is
// being stored (kafka::StagedBatchHandler): Score uses only the scorer, Store only the repository
// and the publisher. Score and Store may run at the same time on two threads, but never two
// Scores or two Stores at once; batches must be scored in offset order (the behaviour windows
// are recorded as they are scored) and stored in offset order (the Accepted events follow).
class ReviewIntake {
 public:
  ReviewIntake(Scorer& scorer, ReviewRepository& repository, AcceptedPublisher& publisher,
               const core::Clock& clock);

  // `batch` holds validated submissions in any order; a review id may repeat (redelivery inside
  // one batch). Returns OK only when every review is stored and the Accepted event of every
  // review whose stored status is active (new or stored earlier) is confirmed. Any error is
  // transient: nothing downstream of the failure happened, and calling again with the same batch
  // is safe (the fingerprint makes the store a no-op, consumers of Accepted are idempotent).
  absl::Status Process(const std::vector<review::Submission>& batch);

  // The first stage of Process: scores every distinct review of `batch` (recording it in the
  // behaviour windows), before and outside any transaction. Never fails: a review the scorer
  // cannot decide is stored unscored (fail open, design.md 4).
  ScoredBatch Score(const std::vector<review::Submission>& batch);

  // The second stage: stores `batch` in one transaction, then publishes and waits for the
  // Accepted event of every review whose stored status is active. Errors as Process's; calling
  // again with the same batch is safe and scores nothing again.
  absl::Status Store(const ScoredBatch& batch);

  const IntakeStats& stats() const { return stats_; }

 private:
  static Decision FailOpen(const review::Submission& s, const absl::Status& error);

  Scorer& scorer_;
  ReviewRepository& repository_;
  AcceptedPublisher& publisher_;
  const core::Clock& clock_;
  IntakeStats stats_;
};

}  // namespace candor::fraud_scorer
