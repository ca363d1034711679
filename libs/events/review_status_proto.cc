#include "libs/events/review_status_proto.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::events {
namespace {

namespace v1 = candor::review::v1;

// The one mapping, read both ways: every domain status beside its API value.
constexpr std::pair<review::ReviewStatus, v1::ReviewStatus> kStatuses[] = {
    {review::ReviewStatus::kAwaitingScoring, v1::REVIEW_STATUS_AWAITING_SCORING},
    {review::ReviewStatus::kActive, v1::REVIEW_STATUS_ACTIVE},
    {review::ReviewStatus::kHeld, v1::REVIEW_STATUS_HELD},
    {review::ReviewStatus::kRejected, v1::REVIEW_STATUS_REJECTED},
    {review::ReviewStatus::kRemoved, v1::REVIEW_STATUS_REMOVED},
};

}  // namespace

v1::ReviewStatus ReviewStatusToProto(review::ReviewStatus status) {
  for (const auto& [domain, api] : kStatuses) {
    if (domain == status) return api;
  }
  return v1::REVIEW_STATUS_UNSPECIFIED;  // unreachable: the table lists every enumerator
}

absl::StatusOr<review::ReviewStatus> ReviewStatusFromProto(v1::ReviewStatus status) {
  if (status == v1::REVIEW_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError("status: unspecified");
  }
  for (const auto& [domain, api] : kStatuses) {
    if (api == status) return domain;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("status: unknown value ", static_cast<int>(status)));
}

}  // namespace candor::events
