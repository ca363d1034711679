#include "services/rating-aggregator/review_event_consumer.h"

#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::rating_aggregator {
namespace {

using candor::review::v1::ReviewEvent;
using ::testing::HasSubstr;

ReviewEvent Base() {
  ReviewEvent e;
  e.set_review_id("0123456789abcdef0123456789abcdef");
  e.set_asin("B000000001");
  e.mutable_occurred_at()->set_seconds(1700000000);
  return e;
}

std::string Error(const ReviewEvent& e) {
  auto d = DecodeEvent(e.SerializeAsString());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(d.status().message());
}

TEST(DecodeEventTest, KindsMapToLedgerFlips) {
  ReviewEvent e = Base();
  e.mutable_accepted()->set_rating(5);
  auto d = DecodeEvent(e.SerializeAsString());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, LedgerEvent::Kind::kCount);
  EXPECT_EQ(d->review_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(d->asin, "B000000001");
  e.mutable_restored()->set_reason_code("appeal");
  EXPECT_EQ(DecodeEvent(e.SerializeAsString())->kind, LedgerEvent::Kind::kCount);
  e.mutable_removed()->set_reason_code("spam");
  EXPECT_EQ(DecodeEvent(e.SerializeAsString())->kind, LedgerEvent::Kind::kUncount);
}

TEST(DecodeEventTest, PoisonCases) {
  EXPECT_THAT(std::string(DecodeEvent("this is not a protobuf").status().message()),
              HasSubstr("cannot decode"));
  EXPECT_THAT(Error(Base()), HasSubstr("event"));
  ReviewEvent e = Base();
  e.mutable_accepted();
  e.clear_review_id();
  EXPECT_THAT(Error(e), HasSubstr("review_id"));
  e = Base();
  e.mutable_accepted();
  e.set_review_id("0123456789ABCDEF0123456789ABCDEF");
  EXPECT_THAT(Error(e), HasSubstr("review_id"));
  e.set_review_id("0123456789abcdef");
  EXPECT_THAT(Error(e), HasSubstr("review_id"));
  e = Base();
  e.mutable_removed();
  e.clear_asin();
  EXPECT_THAT(Error(e), HasSubstr("asin"));
  e.set_asin("b00000000'");
  EXPECT_THAT(Error(e), HasSubstr("asin"));
}

}  // namespace
}  // namespace candor::rating_aggregator
