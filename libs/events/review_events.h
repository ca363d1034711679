#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/review/review_event.h"

namespace candor::events {

// The codec of topic `review-events` (kReviewEventsTopic, key asin): a review::ReviewEvent as
// candor.review.v1.ReviewEvent, whose `oneof` holds Accepted, Removed or Restored. fraud-scorer
// (and later moderation) encode; rating-aggregator and the other read models decode. All three
// functions are pure and thread-safe.

// The payload for `e`; occurred_at is left out when it is absl::InfinitePast(). Does not
// validate: the producer builds `e` from a stored review.
std::string EncodeReviewEvent(const review::ReviewEvent& e);

// The inverse of EncodeReviewEvent, then ValidateReviewEvent. Fields unknown to this version are
// ignored. InvalidArgument, its message starting with the field, when the bytes do not decode
// ("cannot decode ..."), no event of the `oneof` is set ("event: ..."; also what an event type
// newer than this binary looks like: better dead-lettered and replayed after an upgrade than
// skipped), or ValidateReviewEvent refuses it; such a payload is poison for the consumer's
// dead-letter topic.
absl::StatusOr<review::ReviewEvent> DecodeReviewEvent(std::string_view bytes);

// The rules every event on the topic obeys: review_id 32 lower-case hex characters, asin an
// Amazon standard id, occurred_at (unless absl::InfinitePast()) within years 1..9999; Accepted:
// rating 1..5 and user_id either empty or a valid user id; Removed / Restored: a reason_code
// without control characters. InvalidArgument naming the field ("accepted.rating: ..."), or OK.
absl::Status ValidateReviewEvent(const review::ReviewEvent& e);

}  // namespace candor::events
