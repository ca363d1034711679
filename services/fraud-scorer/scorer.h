#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/reason.h"
#include "libs/review/submission.h"

namespace candor::fraud_scorer {

// What the scorer decided about one review, with the evidence, so a moderator and the author can
// be told why (design.md 4). Plain value type.
struct Decision {
  enum class Kind { kPass, kQueue, kReject, kUnscored };
  Kind kind = Kind::kUnscored;
  double score = 0.0;  // fraud likelihood in [0, 1]
  // Most important first: for rules-v1 the rules that fired (code = rule name, value = what it
  // measured, weight = the rule's weight, text = the detail), heaviest first.
  std::vector<review::Reason> reasons;
  std::string scorer;  // which scorer and version decided ("rules-v1")
};

// The name stored in fraud_audit.decision: "pass", "queue", "reject" or "unscored".
std::string_view KindName(Decision::Kind kind);

// Routing of a score in [0, 1]: pass < queue <= score <= reject < reject (design.md 4).
// Shared by every scorer so the thresholds mean the same for rules and models.
struct Thresholds {
  double queue = 0.30;
  double reject = 0.70;
  Decision::Kind Route(double score) const;
};

// Port: decides whether a validated submission looks fraudulent. Implementations may read and
// update behaviour windows. An OK result with Kind::kUnscored means the scorer could not read its
// features and fails open; an error means it could not decide at all, and callers fail open too
// (the review is stored as 'unscored' and counts). Implementations must be safe to call again
// with the same submission (Kafka redelivers) and are used from one thread at a time.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual absl::StatusOr<Decision> Score(const review::Submission& submission, absl::Time now) = 0;

  // Scores `submissions` in order, with the same results as one Score call each, one result per
  // submission. Scorers whose features need I/O override it to fetch them for the whole batch at
  // once; this default calls Score per submission.
  virtual std::vector<absl::StatusOr<Decision>> ScoreBatch(
      const std::vector<review::Submission>& submissions, absl::Time now);
};

}  // namespace candor::fraud_scorer
