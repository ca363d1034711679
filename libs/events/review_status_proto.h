#pragma once

#include "absl/status/statusor.h"
#include "candor/review/v1/review_status.pb.h"
#include "libs/review/review_status.h"

namespace candor::events {

// The one mapping between the domain's review::ReviewStatus and the API's
// candor.review.v1.ReviewStatus (proto/candor/review/v1/review_status.proto). The two share their
// names (AWAITING_SCORING = kAwaitingScoring, HELD = kHeld, ...). Pure functions, thread-safe.

// The API value of `status`; never REVIEW_STATUS_UNSPECIFIED.
candor::review::v1::ReviewStatus ReviewStatusToProto(review::ReviewStatus status);

// The domain value of `status`. InvalidArgument "status: ..." for REVIEW_STATUS_UNSPECIFIED and
// for a number this version does not know (proto3 enums keep unknown numbers).
absl::StatusOr<review::ReviewStatus> ReviewStatusFromProto(candor::review::v1::ReviewStatus status);

}  // namespace candor::events
