#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

std::string_view KindName(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kPass:
      return "pass";
    case Decision::Kind::kQueue:
      return "queue";
    case Decision::Kind::kReject:
      return "reject";
    case Decision::Kind::kUnscored:
      return "unscored";
  }
  return "unscored";
}

std::vector<absl::StatusOr<Decision>> Scorer::ScoreBatch(
    const std::vector<review::Submission>& submissions, absl::Time now) {
  std::vector<absl::StatusOr<Decision>> out;
  out.reserve(submissions.size());
  for (const review::Submission& s : submissions) out.push_back(Score(s, now));
  return out;
}

Decision::Kind Thresholds::Route(double score) const {
  if (score < queue) return Decision::Kind::kPass;
  if (score <= reject) return Decision::Kind::kQueue;
  return Decision::Kind::kReject;
}

}  // namespace candor::fraud_scorer
