#include "libs/review/review_status.h"

namespace candor::review {

std::string_view StatusName(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::kAwaitingScoring:
      return "awaiting_scoring";
    case ReviewStatus::kActive:
      return "active";
    case ReviewStatus::kHeld:
      return "held";
    case ReviewStatus::kRejected:
      return "rejected";
    case ReviewStatus::kRemoved:
      return "removed";
  }
  return "active";  // unreachable: every enumerator is handled above
}

std::optional<ReviewStatus> ParseStatus(std::string_view name) {
  for (ReviewStatus status : kEveryStatus) {
    if (StatusName(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace candor::review
