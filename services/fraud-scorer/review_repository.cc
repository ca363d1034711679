#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer {

std::string_view StatusName(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::kActive:
      return "active";
    case ReviewStatus::kPending:
      return "pending";
    case ReviewStatus::kRejected:
      return "rejected";
    case ReviewStatus::kRemoved:
      return "removed";
  }
  return "active";
}

std::optional<ReviewStatus> ParseStatus(std::string_view name) {
  for (ReviewStatus s : {ReviewStatus::kActive, ReviewStatus::kPending, ReviewStatus::kRejected,
                         ReviewStatus::kRemoved}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

ReviewStatus StatusFor(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kPass:
    case Decision::Kind::kUnscored:
      return ReviewStatus::kActive;
    case Decision::Kind::kQueue:
      return ReviewStatus::kPending;
    case Decision::Kind::kReject:
      return ReviewStatus::kRejected;
  }
  return ReviewStatus::kActive;
}

}  // namespace candor::fraud_scorer
