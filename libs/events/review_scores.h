#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/review/helpful_vote.h"

namespace candor::events {

// The codec of topic `review-scores` (kReviewScoresTopic, key asin): a review::ReviewScore as
// candor.review.v1.ReviewScore. helpfulness-ranker encodes after each committed batch; the search
// index decodes. All three functions are pure and thread-safe.

// The payload for `s`. Does not validate: the ranker publishes what it committed.
std::string EncodeReviewScore(const review::ReviewScore& s);

// The inverse of EncodeReviewScore, then ValidateReviewScore. Fields unknown to this version are
// ignored. InvalidArgument, its message starting with the field, when the bytes do not decode or
// ValidateReviewScore refuses them.
absl::StatusOr<review::ReviewScore> DecodeReviewScore(std::string_view bytes);

// review_id 32 lower-case hex characters, asin an Amazon standard id, 0 <= helpful_votes <=
// total_votes, sort_key finite, scored_at within years 1..9999. InvalidArgument naming the
// field, or OK.
absl::Status ValidateReviewScore(const review::ReviewScore& s);

}  // namespace candor::events
