#include "libs/events/review_status_proto.h"

#include "absl/strings/str_cat.h"

namespace candor::events {

namespace v1 = candor::review::v1;

v1::ReviewStatus ReviewStatusToProto(review::ReviewStatus status) {
  switch (status) {
    case review::ReviewStatus::kAwaitingScoring:
      return v1::REVIEW_STATUS_AWAITING_SCORING;
    case review::ReviewStatus::kActive:
      return v1::REVIEW_STATUS_ACTIVE;
    case review::ReviewStatus::kHeld:
      return v1::REVIEW_STATUS_HELD;
    case review::ReviewStatus::kRejected:
      return v1::REVIEW_STATUS_REJECTED;
    case review::ReviewStatus::kRemoved:
      return v1::REVIEW_STATUS_REMOVED;
  }
  return v1::REVIEW_STATUS_UNSPECIFIED;  // unreachable: the switch covers every enumerator
}

absl::StatusOr<review::ReviewStatus> ReviewStatusFromProto(v1::ReviewStatus status) {
  switch (status) {
    case v1::REVIEW_STATUS_AWAITING_SCORING:
      return review::ReviewStatus::kAwaitingScoring;
    case v1::REVIEW_STATUS_ACTIVE:
      return review::ReviewStatus::kActive;
    case v1::REVIEW_STATUS_HELD:
      return review::ReviewStatus::kHeld;
    case v1::REVIEW_STATUS_REJECTED:
      return review::ReviewStatus::kRejected;
    case v1::REVIEW_STATUS_REMOVED:
      return review::ReviewStatus::kRemoved;
    case v1::REVIEW_STATUS_UNSPECIFIED:
      return absl::InvalidArgumentError("status: unspecified");
    default:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("status: unknown value ", static_cast<int>(status)));
}

}  // namespace candor::events
