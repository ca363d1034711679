#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::gateway {

// Limits from design.md 3.2. An imported submission (Submission::imported) is held to the
// exact-duplicate rule only: the per-product window and the daily limit are about live abuse,
// and an import replays history whose times are not now.
struct GuardPolicy {
  absl::Duration fingerprint_ttl = absl::Hours(24 * 90);  // exact duplicate memory
  absl::Duration per_product_window = absl::Hours(24);    // one review per user per product
  absl::Duration user_window = absl::Hours(24);           // sliding window for the daily limit
  int64_t user_limit = 10;                                // reviews per user per window
  // How long a confirmed submission is remembered for WasConfirmed (GetReviewStatus's "awaiting
  // scoring" before the review is stored).
  absl::Duration confirmed_memory = absl::Hours(24);
};

struct GuardVerdict {
  enum class Kind {
    // New: publish it.
    kAdmitted,
    // The same submission (every stored field equal) was admitted before and never confirmed:
    // its publish failed in doubt, its answer was lost, or the gateway died before the delivery
    // report. Publish it again: the review id is the same, so it lands on the same row (I1).
    kResumed,
    // The same text was confirmed stored (review_id names it).
    kDuplicate,
    // This user has a confirmed review of this product within the window (review_id names it).
    kAlreadyReviewed,
    // An unconfirmed earlier submission (review_id) of the same text with other fields, or of
    // another text for this product, may be stored: only resending it unchanged settles it.
    kInDoubt,
    // The user's daily limit is reached.
    kRateLimited,
  };
  Kind kind = Kind::kAdmitted;
  std::string review_id;       // the review the verdict is about
  absl::Duration retry_after;  // for kRateLimited: when the oldest review leaves the window
};

// Port: remembers which submissions were already seen and how many a user made, and which the log
// confirmed lately.
// - Admit is one atomic step (check all rules, then record), so two racing submissions can never
//   both pass. What it records is *unconfirmed* until Confirm: a submission whose outcome is
//   unknown (the store's reply or the log's delivery report was lost, the gateway died) is
//   resumed by an identical retry instead of being refused as a duplicate of nothing.
// - Confirm records that the log holds the submission; from then on a resubmission is a
//   duplicate. It (re)creates the records if they are missing, since the log is the truth.
// - Release undoes an unconfirmed Admit whose publish certainly failed, so the client can send
//   anything again. It never touches records another submission wrote or confirmed.
// - WasConfirmed says whether `user_id`'s submission `review_id` was confirmed within
//   policy().confirmed_memory before `now`: the log holds it, so it will be stored (I1).
// An imported submission is checked and recorded for the exact-duplicate rule only (see
// GuardPolicy); its confirmation is remembered as any other.
// All are asynchronous so request threads never wait on the store: `done` runs exactly once,
// possibly on another thread, and must not block. Implementations are thread-safe; the status is
// Unavailable when the store cannot be reached; they never throw.
class SubmissionGuard {
 public:
  using AdmitCallback = std::function<void(absl::StatusOr<GuardVerdict>)>;
  using DoneCallback = std::function<void(absl::Status)>;

  virtual ~SubmissionGuard() = default;
  virtual void Admit(const review::Submission& s, absl::Time now, AdmitCallback done) = 0;
  virtual void Confirm(const review::Submission& s, absl::Time now, DoneCallback done) = 0;
  virtual void Release(const review::Submission& s, DoneCallback done) = 0;
  virtual void WasConfirmed(const std::string& user_id, const std::string& review_id,
                            absl::Time now, std::function<void(absl::StatusOr<bool>)> done) = 0;
  // The policy it enforces, for messages that name the limits.
  virtual const GuardPolicy& policy() const = 0;
};

// A digest of every field a submission stores (not the client address, which differs between
// retries, nor a live submission's time, the gateway's clock): two submissions with equal
// digests are the same review. An imported submission's digest also covers that it is imported
// and its original time, which the importer gives and the row keeps.
std::string ContentDigest(const review::Submission& s);

}  // namespace candor::gateway
