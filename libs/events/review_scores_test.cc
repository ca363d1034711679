#include "libs/events/review_scores.h"

#include <limits>

#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/wire_testing.h"

namespace candor::events {
namespace {

using ::candor::events::testing::ExpectRoundTrip;
using ::candor::events::testing::ExpectValidateRefusals;
using ::testing::StartsWith;

review::ReviewScore Score() {
  review::ReviewScore s;
  s.review_id = "0123456789abcdef0123456789abcdef";
  s.asin = "B000000001";
  s.helpful_votes = 480;
  s.total_votes = 500;
  s.sort_key = 12.5;
  s.ranked = true;
  s.scored_at = absl::FromUnixMicros(1'700'000'000'123'456);
  return s;
}

TEST(ReviewScoreTest, RankedAndUnrankedRoundTrip) {
  review::ReviewScore s = Score();
  ExpectRoundTrip(s, EncodeReviewScore, DecodeReviewScore);
  s.ranked = false;
  s.helpful_votes = 0;
  s.total_votes = 0;
  s.sort_key = -3.25;
  ExpectRoundTrip(s, EncodeReviewScore, DecodeReviewScore);
}

TEST(ReviewScoreTest, EveryRefusedFieldIsNamed) {
  EXPECT_EQ(DecodeReviewScore("\xff\xff").status().message(),
            "cannot decode candor.review.v1.ReviewScore");
  ExpectValidateRefusals(Score(), ValidateReviewScore, EncodeReviewScore, DecodeReviewScore,
                         {{[](auto& s) { s.review_id = "x"; }, StartsWith("review_id")},
                          {[](auto& s) { s.asin = ""; }, StartsWith("asin")},
                          {[](auto& s) { s.helpful_votes = 501; }, StartsWith("helpful_votes")},
                          {[](auto& s) { s.helpful_votes = -1; }, StartsWith("helpful_votes")},
                          {[](auto& s) { s.sort_key = std::numeric_limits<double>::quiet_NaN(); },
                           StartsWith("sort_key")}});
  candor::review::v1::ReviewScore m;
  m.set_review_id(Score().review_id);
  m.set_asin(Score().asin);
  EXPECT_EQ(DecodeReviewScore(m.SerializeAsString()).status().message(), "scored_at: required");
}

}  // namespace
}  // namespace candor::events
