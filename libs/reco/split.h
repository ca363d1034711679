#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"

namespace candor::reco {

// Which held-out item an evaluation ranks.
enum class Holdout { kValidation, kTest };

// The leave-one-out split of S3-Rec, CL4SRec, ICLRec and TiCoSeRec. Each user's interactions are
// ordered by time with a stable sort (ties keep source order: for the Beauty sequences, the
// published sequence order). With n >= 3 interactions: the last is the test item, the one before
// it the validation item, the first n - 2 are train. Users with fewer than 3 interactions keep
// all of them in train and are evaluated in neither split (counted in `short_users`): with no
// validation item their test result could not be tuned for, and leaving them out keeps the same
// users in both splits.
//
// Immutable once built; safe to share across threads.
struct LeaveOneOutSplit {
  Sequences sequences;                   // every user's full ordered sequence
  Sequences train;                       // every user's train part: what models are fit on
  std::vector<int32_t> evaluated_users;  // users with >= 3 interactions, ascending
  int64_t short_users = 0;               // users with 1 or 2 interactions (train only)

  // The history a model sees when asked for `user`'s held-out item: the train part, plus the
  // validation item for the test (as S3-Rec / ICLRec feed items[:-1] at test time). Oldest first.
  std::span<const Event> History(int32_t user, Holdout holdout) const;
  // The held-out event of an evaluated user.
  const Event& Target(int32_t user, Holdout holdout) const;
};

// Splits `log`. Errors: InvalidArgument when no user has 3 interactions.
absl::StatusOr<LeaveOneOutSplit> SplitLeaveOneOut(const InteractionLog& log);

}  // namespace candor::reco
