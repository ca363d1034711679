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
};

// The fraud-scorer's write path for one batch (design.md 3.4): score every submission, store the
// batch in one transaction, then announce the active ones. Knows nothing of Kafka or Postgres.
// Borrows its ports; one thread at a time.
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
