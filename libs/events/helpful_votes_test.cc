#include "libs/events/helpful_votes.h"

#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/wire_testing.h"

namespace candor::events {
namespace {

using ::candor::events::testing::ExpectDecodeRefusals;
using ::candor::events::testing::ExpectRoundTrip;
using ::testing::Eq;
using ::testing::StartsWith;
namespace v1 = candor::review::v1;

review::HelpfulVote Vote(review::Vote value) {
  review::HelpfulVote v;
  v.review_id = "0123456789abcdef0123456789abcdef";
  v.asin = "B000000001";
  v.user_id = "shopper-9";
  v.vote = value;
  v.voted_at = absl::FromUnixMicros(1'700'000'000'123'456);
  return v;
}

v1::HelpfulVote Wire() {
  v1::HelpfulVote m;
  m.set_review_id("0123456789abcdef0123456789abcdef");
  m.set_asin("B000000001");
  m.set_user_id("shopper-9");
  m.set_vote(v1::HELPFUL_VOTE_VALUE_HELPFUL);
  m.mutable_voted_at()->set_seconds(1700000000);
  return m;
}

TEST(HelpfulVoteTest, EveryVoteRoundTrips) {
  for (review::Vote value :
       {review::Vote::kHelpful, review::Vote::kNotHelpful, review::Vote::kRetracted}) {
    ExpectRoundTrip(Vote(value), EncodeHelpfulVote, DecodeHelpfulVote);
    EXPECT_EQ(*VoteFromProto(VoteToProto(value)), value);
  }
}

TEST(HelpfulVoteTest, TimesBefore1970RoundTrip) {
  review::HelpfulVote v = Vote(review::Vote::kHelpful);
  v.voted_at = absl::FromUnixMicros(-1'234'567);
  ExpectRoundTrip(v, EncodeHelpfulVote, DecodeHelpfulVote);
}

TEST(HelpfulVoteTest, EveryRefusedFieldIsNamed) {
  EXPECT_EQ(DecodeHelpfulVote("\xff\xff").status().message(),
            "cannot decode candor.review.v1.HelpfulVote");
  ExpectDecodeRefusals(
      Wire(), DecodeHelpfulVote,
      {{[](auto& m) { m.set_review_id("short"); }, StartsWith("review_id")},
       {[](auto& m) { m.set_asin("b1"); }, StartsWith("asin")},
       {[](auto& m) { m.set_user_id(""); }, StartsWith("user_id")},
       {[](auto& m) { m.set_vote(v1::HELPFUL_VOTE_VALUE_UNSPECIFIED); }, StartsWith("vote: ")},
       // A value newer than this binary.
       {[](auto& m) { m.set_vote(static_cast<v1::HelpfulVoteValue>(42)); }, StartsWith("vote: ")},
       {[](auto& m) { m.clear_voted_at(); }, Eq("voted_at: required")},
       {[](auto& m) { m.mutable_voted_at()->set_nanos(-1); }, StartsWith("voted_at")}});
}

}  // namespace
}  // namespace candor::events
