#pragma once

#include <functional>

#include "absl/status/status.h"
#include "libs/review/submission.h"

namespace candor::gateway {

// Port: the durable log submissions go to (Kafka `review-submissions`). Publish calls `done`
// exactly once: OK only when the log has durably taken the submission, Unavailable when it did
// not confirm within its budget. `done` may run on another thread and must not block.
class SubmissionLog {
 public:
  virtual ~SubmissionLog() = default;
  virtual void Publish(const review::Submission& s, std::function<void(absl::Status)> done) = 0;
};

}  // namespace candor::gateway
