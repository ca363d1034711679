#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "candor/review/v1/events.pb.h"
#include "libs/review/helpful_vote.h"

namespace candor::events {

// The codec of topic `helpful-votes` (kHelpfulVotesTopic, key asin): a review::HelpfulVote as
// candor.review.v1.HelpfulVote. review-gateway encodes (VoteHelpful); helpfulness-ranker decodes.
// All three functions are pure and thread-safe.

// The payload for `v`. Does not validate: the gateway validated the request.
std::string EncodeHelpfulVote(const review::HelpfulVote& v);

// The inverse of EncodeHelpfulVote, then ValidateHelpfulVote. Fields unknown to this version are
// ignored. InvalidArgument, its message starting with the field, when the bytes do not decode
// ("cannot decode ..."), the vote is unset or unknown to this version ("vote: ...": better
// dead-lettered and replayed after an upgrade than guessed) or ValidateHelpfulVote refuses it.
absl::StatusOr<review::HelpfulVote> DecodeHelpfulVote(std::string_view bytes);

// The rules every vote on the topic obeys: review_id 32 lower-case hex characters, asin an Amazon
// standard id, user_id a valid user id, voted_at within years 1..9999. InvalidArgument naming the
// field, or OK.
absl::Status ValidateHelpfulVote(const review::HelpfulVote& v);

// The one mapping between review::Vote and the wire's candor.review.v1.HelpfulVoteValue (also
// VoteHelpfulRequest.vote). VoteFromProto: InvalidArgument "vote: ..." for UNSPECIFIED and for a
// number this version does not know (proto3 enums keep unknown numbers). Pure.
candor::review::v1::HelpfulVoteValue VoteToProto(review::Vote vote);
absl::StatusOr<review::Vote> VoteFromProto(candor::review::v1::HelpfulVoteValue vote);

}  // namespace candor::events
