#include "libs/events/helpful_votes.h"

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "libs/events/payload.h"
#include "libs/events/timestamp.h"
#include "libs/review/validation.h"

namespace candor::events {
namespace v1 = candor::review::v1;

v1::HelpfulVoteValue VoteToProto(review::Vote v) {
  switch (v) {
    case review::Vote::kHelpful:
      return v1::HELPFUL_VOTE_VALUE_HELPFUL;
    case review::Vote::kNotHelpful:
      return v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL;
    case review::Vote::kRetracted:
      return v1::HELPFUL_VOTE_VALUE_RETRACTED;
  }
  return v1::HELPFUL_VOTE_VALUE_UNSPECIFIED;
}

absl::StatusOr<review::Vote> VoteFromProto(v1::HelpfulVoteValue value) {
  switch (value) {
    case v1::HELPFUL_VOTE_VALUE_HELPFUL:
      return review::Vote::kHelpful;
    case v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL:
      return review::Vote::kNotHelpful;
    case v1::HELPFUL_VOTE_VALUE_RETRACTED:
      return review::Vote::kRetracted;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("vote: must be HELPFUL, NOT_HELPFUL or RETRACTED, got ", value,
                       value == v1::HELPFUL_VOTE_VALUE_UNSPECIFIED ? " (unset)" : " (unknown)"));
  }
}

namespace {

absl::StatusOr<review::HelpfulVote> HelpfulVoteFromProto(v1::HelpfulVote& m) {
  absl::StatusOr<review::Vote> vote = VoteFromProto(m.vote());
  if (!vote.ok()) return vote.status();
  absl::StatusOr<absl::Time> at = FromRequiredTimestamp("voted_at", m.has_voted_at(), m.voted_at());
  if (!at.ok()) return at.status();
  review::HelpfulVote v;
  v.review_id = std::move(*m.mutable_review_id());
  v.asin = std::move(*m.mutable_asin());
  v.user_id = std::move(*m.mutable_user_id());
  v.vote = *vote;
  v.voted_at = *at;
  return v;
}

}  // namespace

std::string EncodeHelpfulVote(const review::HelpfulVote& v) {
  v1::HelpfulVote msg;
  msg.set_review_id(v.review_id);
  msg.set_asin(v.asin);
  msg.set_user_id(v.user_id);
  msg.set_vote(VoteToProto(v.vote));
  ToProtoTimestamp(v.voted_at, msg.mutable_voted_at());
  return msg.SerializeAsString();
}

absl::StatusOr<review::HelpfulVote> DecodeHelpfulVote(std::string_view bytes) {
  return DecodePayload(bytes, HelpfulVoteFromProto, ValidateHelpfulVote);
}

absl::Status ValidateHelpfulVote(const review::HelpfulVote& v) {
  if (absl::Status s = review::ValidateReviewIdFormat(v.review_id); !s.ok()) return s;
  if (absl::Status s = review::ValidateAsin(v.asin); !s.ok()) return s;
  if (absl::Status s = review::ValidateUserId(v.user_id); !s.ok()) return s;
  return review::ValidateTime("voted_at", v.voted_at);
}

}  // namespace candor::events
