#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::gateway {

// Limits from design.md 3.2.
struct GuardPolicy {
  absl::Duration fingerprint_ttl = absl::Hours(24 * 90);  // exact duplicate memory
  absl::Duration per_product_window = absl::Hours(24);    // one review per user per product
  absl::Duration user_window = absl::Hours(24);           // sliding window for the daily limit
  int64_t user_limit = 10;                                // reviews per user per window
};

struct GuardVerdict {
  enum class Kind { kAdmitted, kDuplicate, kAlreadyReviewed, kRateLimited };
  Kind kind = Kind::kAdmitted;
  absl::Duration retry_after;  // for kRateLimited: when the oldest review leaves the window
};

// Port: remembers which submissions were already seen and how many a user made. Admit is one
// atomic step (check all three rules, then record all three), so two racing submissions can
// never both pass. Release undoes an Admit whose publish failed, so the client can retry.
// Both are asynchronous so request threads never wait on the store: `done` runs exactly once,
// possibly on another thread, and must not block. Implementations are thread-safe; the status is
// Unavailable when the store cannot be reached; they never throw.
class SubmissionGuard {
 public:
  using AdmitCallback = std::function<void(absl::StatusOr<GuardVerdict>)>;
  using ReleaseCallback = std::function<void(absl::Status)>;

  virtual ~SubmissionGuard() = default;
  virtual void Admit(const review::Submission& s, absl::Time now, AdmitCallback done) = 0;
  virtual void Release(const review::Submission& s, ReleaseCallback done) = 0;
};

}  // namespace candor::gateway
