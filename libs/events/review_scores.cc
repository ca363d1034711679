#include "libs/events/review_scores.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "libs/events/payload.h"
#include "libs/events/timestamp.h"
#include "libs/review/validation.h"

namespace candor::events {

namespace v1 = candor::review::v1;

namespace {

absl::StatusOr<review::ReviewScore> ScoreFromProto(v1::ReviewScore& m) {
  absl::StatusOr<absl::Time> at =
      FromRequiredTimestamp("scored_at", m.has_scored_at(), m.scored_at());
  if (!at.ok()) return at.status();
  review::ReviewScore s;
  s.review_id = std::move(*m.mutable_review_id());
  s.asin = std::move(*m.mutable_asin());
  s.helpful_votes = m.helpful_votes();
  s.total_votes = m.total_votes();
  s.sort_key = m.sort_key();
  s.ranked = m.ranked();
  s.scored_at = *at;
  return s;
}

}  // namespace

std::string EncodeReviewScore(const review::ReviewScore& s) {
  v1::ReviewScore msg;
  msg.set_review_id(s.review_id);
  msg.set_asin(s.asin);
  msg.set_helpful_votes(s.helpful_votes);
  msg.set_total_votes(s.total_votes);
  msg.set_sort_key(s.sort_key);
  msg.set_ranked(s.ranked);
  ToProtoTimestamp(s.scored_at, msg.mutable_scored_at());
  return msg.SerializeAsString();
}

absl::StatusOr<review::ReviewScore> DecodeReviewScore(std::string_view bytes) {
  return DecodePayload(bytes, ScoreFromProto, ValidateReviewScore);
}

absl::Status ValidateReviewScore(const review::ReviewScore& s) {
  if (absl::Status st = review::ValidateReviewIdFormat(s.review_id); !st.ok()) return st;
  if (absl::Status st = review::ValidateAsin(s.asin); !st.ok()) return st;
  if (s.helpful_votes < 0 || s.helpful_votes > s.total_votes) {
    return absl::InvalidArgumentError(absl::StrCat("helpful_votes: must be 0..total_votes (",
                                                   s.total_votes, "), got ", s.helpful_votes));
  }
  if (!std::isfinite(s.sort_key)) {
    return absl::InvalidArgumentError("sort_key: must be finite");
  }
  return review::ValidateTime("scored_at", s.scored_at);
}

}  // namespace candor::events
