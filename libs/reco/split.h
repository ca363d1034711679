#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"

namespace candor::reco {

// Which held-out item an evaluation ranks.
enum class Holdout { kValidation, kTest };

// How a split was made.
enum class SplitMode { kLeaveOneOut, kTime };

// A train / validation / test split of an interaction log, made by SplitLeaveOneOut or
// SplitByTime. Each user's interactions are ordered by time with a stable sort (ties keep source
// order: for the Beauty sequences, the published sequence order) into `sequences`; a user's
// validation and test targets are positions in that sequence, and the history a model sees for a
// target is everything before it. Models are fit on `train`.
//
// Leave-one-out (S3-Rec, CL4SRec, ICLRec and TiCoSeRec): with n >= 3 interactions, the last is
// the test item, the one before it the validation item, the first n - 2 are train. Users with
// fewer than 3 interactions keep all of them in train and are evaluated in neither split (counted
// in `short_users`): with no validation item their test result could not be tuned for, and
// leaving them out keeps the same users in both splits.
//
// Time (global cutoffs, no future in training): see SplitByTime.
//
// Immutable once built; safe to share across threads.
struct LeaveOneOutSplit {
  SplitMode mode = SplitMode::kLeaveOneOut;
  Sequences sequences;                    // every user's full ordered sequence
  Sequences train;                        // every user's train part: what models are fit on
  std::vector<int32_t> evaluated_users;   // users with a test target, ascending
  std::vector<int32_t> validation_users;  // users with a validation target, ascending
  // Leave-one-out: users with 1 or 2 interactions (train only). Time: users with neither a
  // validation nor a test target.
  int64_t short_users = 0;
  // Per user: the position in sequences.Of(user) of the validation / test target, -1 if none.
  std::vector<int32_t> validation_at;
  std::vector<int32_t> test_at;
  // Time split only (0 for leave-one-out): train is every event before validation_cutoff, the
  // test targets are at or after test_cutoff; unix seconds. The quantiles they came from, when
  // SplitByTimeQuantiles made them (else 0).
  int64_t validation_cutoff = 0;
  int64_t test_cutoff = 0;
  double validation_quantile = 0;
  double test_quantile = 0;

  // The users evaluated on `holdout`: evaluated_users for the test, validation_users for the
  // validation (the same users under leave-one-out).
  const std::vector<int32_t>& Users(Holdout holdout) const;
  // The history a model sees when asked for `user`'s held-out item: every event before the
  // target in the user's ordered sequence. Leave-one-out: the train part, plus the validation
  // item for the test (as S3-Rec / ICLRec feed items[:-1] at test time). Time: for the
  // validation, the user's train part; for the test, everything before the target (train and
  // validation-period events). Oldest first. Empty for a user without that target.
  std::span<const Event> History(int32_t user, Holdout holdout) const;
  // The held-out event of a user in Users(holdout).
  const Event& Target(int32_t user, Holdout holdout) const;
  // What the tools print and write as the protocol, e.g. "leave-one-out, full ranking, history
  // masked" or "time split (q0.9 / q0.95), full ranking, history masked".
  std::string Protocol() const;
};

// Splits `log` leave-one-out. Errors: InvalidArgument when no user has 3 interactions.
absl::StatusOr<LeaveOneOutSplit> SplitLeaveOneOut(const InteractionLog& log);

// Splits `log` by two global times, validation_cutoff < test_cutoff (unix seconds), so that no
// event at or after validation_cutoff is ever in `train`:
//   - train: every interaction with unix_time < validation_cutoff (of every user);
//   - validation target: each user's first interaction in [validation_cutoff, test_cutoff), for
//     users with at least one train event; its history is the user's train part;
//   - test target: each user's first interaction at or after test_cutoff, for users with at least
//     one earlier interaction; its history is everything before it (train events and the user's
//     validation-period events, which models never saw in training but may read at query time).
// Later events of a user are in `sequences` but never in a history or a train part. A user may be
// a validation user, a test user, both or neither; users with neither count in `short_users`.
// Errors: InvalidArgument when validation_cutoff >= test_cutoff or when no user has a validation
// or no user a test target.
absl::StatusOr<LeaveOneOutSplit> SplitByTime(const InteractionLog& log, int64_t validation_cutoff,
                                             int64_t test_cutoff);

// The cutoff at quantile q of all interaction times: the time of the interaction at sorted index
// floor(q * n) (clamped to n - 1), so about a fraction q of the interactions come before it
// (fewer when many share its time). Requires a non-empty log and 0 < q < 1.
absl::StatusOr<int64_t> TimeQuantile(const InteractionLog& log, double q);

// SplitByTime with cutoffs at quantiles of all interaction times, e.g. 0.9 and 0.95: train about
// the first 90% of interactions, the validation targets from the next 5%, the test targets from
// the last 5%. Errors: InvalidArgument unless 0 < validation_quantile < test_quantile < 1, when
// both quantiles fall on the same time, and SplitByTime's.
absl::StatusOr<LeaveOneOutSplit> SplitByTimeQuantiles(const InteractionLog& log,
                                                      double validation_quantile,
                                                      double test_quantile);

// Parses "0.9,0.95" into {0.9, 0.95}. Errors: InvalidArgument unless two numbers with
// 0 < first < second < 1.
absl::StatusOr<std::pair<double, double>> ParseTimeQuantiles(const std::string& text);

// The tools' --split-mode (`mode`: "leave-one-out" or "time") and --time-quantiles
// (`time_quantiles`, read only for "time"). Errors: InvalidArgument for another mode or bad
// quantiles (check both with ValidateSplitFlags before loading), and the split's own.
absl::Status ValidateSplitFlags(const std::string& mode, const std::string& time_quantiles);
absl::StatusOr<LeaveOneOutSplit> SplitFromFlags(const InteractionLog& log, const std::string& mode,
                                                const std::string& time_quantiles);

// One line for a tool's stderr: the protocol, the cutoffs and the user and event counts.
std::string DescribeSplit(const LeaveOneOutSplit& split);

}  // namespace candor::reco
