#include "libs/reviewdb/review_rows.h"

namespace candor::reviewdb {

bool IsTransition(review::ReviewStatus from, review::ReviewStatus to) {
  using review::ReviewStatus;
  switch (from) {
    case ReviewStatus::kHeld:
      return to == ReviewStatus::kActive || to == ReviewStatus::kRejected;
    case ReviewStatus::kActive:
      return to == ReviewStatus::kRemoved;
    case ReviewStatus::kRemoved:
      return to == ReviewStatus::kActive;
    case ReviewStatus::kAwaitingScoring:
    case ReviewStatus::kRejected:
      return false;
  }
  return false;
}

bool IsRescoreTransition(review::ReviewStatus from, review::ReviewStatus to) {
  using review::ReviewStatus;
  auto scored = [](ReviewStatus s) {
    return s == ReviewStatus::kActive || s == ReviewStatus::kHeld || s == ReviewStatus::kRejected;
  };
  return scored(from) && scored(to);
}

std::string_view VoteName(review::Vote v) {
  switch (v) {
    case review::Vote::kHelpful:
      return "helpful";
    case review::Vote::kNotHelpful:
      return "not_helpful";
    case review::Vote::kRetracted:
      return "retracted";
  }
  return "retracted";
}

}  // namespace candor::reviewdb
