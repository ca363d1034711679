#include "libs/events/review_events.h"

#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/wire_testing.h"

namespace candor::events {
namespace {

using ::candor::events::testing::DecodeError;
using ::candor::events::testing::ExpectRoundTrip;
using ::candor::events::testing::ValidateError;
using ::candor::events::testing::WithUnknownField;
using candor::review::v1::ReviewEvent;
using ::testing::HasSubstr;
using ::testing::StartsWith;

review::ReviewEvent Event(decltype(review::ReviewEvent::change) change) {
  review::ReviewEvent e;
  e.review_id = "0123456789abcdef0123456789abcdef";
  e.asin = "B000000001";
  e.occurred_at = absl::FromUnixMicros(1'700'000'000'123'456);
  e.change = std::move(change);
  return e;
}

review::ReviewEvent Accepted() { return Event(review::ReviewAccepted{4, true, "shopper-1"}); }

ReviewEvent Base() {
  ReviewEvent e;
  e.set_review_id("0123456789abcdef0123456789abcdef");
  e.set_asin("B000000001");
  e.mutable_occurred_at()->set_seconds(1700000000);
  return e;
}

std::string Error(const ReviewEvent& e) { return DecodeError(e, DecodeReviewEvent); }

std::string Error(const review::ReviewEvent& e) {
  return ValidateError(e, ValidateReviewEvent, EncodeReviewEvent, DecodeReviewEvent);
}

TEST(ReviewEventTest, EveryKindRoundTrips) {
  for (const review::ReviewEvent& sent : {Accepted(), Event(review::ReviewRemoved{"spam"}),
                                          Event(review::ReviewRestored{"appeal"})}) {
    ExpectRoundTrip(sent, EncodeReviewEvent, DecodeReviewEvent);
  }
}

TEST(ReviewEventTest, WithoutOccurredAtTheFieldIsAbsent) {
  review::ReviewEvent sent = Event(review::ReviewRemoved{"spam"});
  sent.occurred_at = absl::InfinitePast();
  const std::string bytes = EncodeReviewEvent(sent);
  ReviewEvent m;
  ASSERT_TRUE(m.ParseFromString(bytes));
  EXPECT_FALSE(m.has_occurred_at());
  auto got = DecodeReviewEvent(bytes);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, sent);
}

TEST(ReviewEventTest, EncodesTheAcceptedCaseOnTheWire) {
  ReviewEvent m;
  ASSERT_TRUE(m.ParseFromString(EncodeReviewEvent(Accepted())));
  EXPECT_EQ(m.review_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(m.asin(), "B000000001");
  EXPECT_EQ(m.occurred_at().seconds(), 1700000000);
  EXPECT_EQ(m.occurred_at().nanos(), 123456000);
  ASSERT_TRUE(m.has_accepted());
  EXPECT_EQ(m.accepted().rating(), 4);
  EXPECT_TRUE(m.accepted().verified_purchase());
  EXPECT_EQ(m.accepted().user_id(), "shopper-1");
}

TEST(ReviewEventTest, UnknownFieldsAreIgnored) {
  // At the top level and inside the oneof's message.
  ReviewEvent m;
  ASSERT_TRUE(m.ParseFromString(EncodeReviewEvent(Accepted())));
  m.clear_accepted();
  std::string accepted_bytes = WithUnknownField([] {
    candor::review::v1::ReviewAccepted a;
    a.set_rating(4);
    a.set_verified_purchase(true);
    a.set_user_id("shopper-1");
    return a.SerializeAsString();
  }());
  ASSERT_TRUE(m.mutable_accepted()->ParseFromString(accepted_bytes));
  auto got = DecodeReviewEvent(WithUnknownField(m.SerializeAsString()));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, Accepted());
}

TEST(ReviewEventTest, PoisonOnTheWire) {
  EXPECT_THAT(std::string(DecodeReviewEvent("this is not a protobuf").status().message()),
              HasSubstr("cannot decode"));
  // No event set: also how an event type newer than this binary looks.
  EXPECT_THAT(Error(Base()), StartsWith("event"));
  ReviewEvent e = Base();
  e.mutable_accepted()->set_rating(5);
  e.clear_review_id();
  EXPECT_THAT(Error(e), StartsWith("review_id"));
  e = Base();
  e.mutable_removed();
  e.mutable_occurred_at()->set_nanos(-1);
  EXPECT_THAT(Error(e), StartsWith("occurred_at"));
  e.mutable_occurred_at()->set_nanos(1000000000);
  EXPECT_THAT(Error(e), StartsWith("occurred_at"));
  e = Base();
  e.mutable_removed();
  e.mutable_occurred_at()->set_seconds(int64_t{1} << 50);
  EXPECT_THAT(Error(e), StartsWith("occurred_at"));
}

TEST(ReviewEventTest, EachInvalidFieldIsNamed) {
  review::ReviewEvent e = Accepted();
  e.review_id.clear();
  EXPECT_THAT(Error(e), StartsWith("review_id: required"));
  e.review_id = "0123456789ABCDEF0123456789ABCDEF";
  EXPECT_THAT(Error(e), StartsWith("review_id"));
  e.review_id = "0123456789abcdef";
  EXPECT_THAT(Error(e), StartsWith("review_id"));
  e = Event(review::ReviewRemoved{"spam"});
  e.asin.clear();
  EXPECT_THAT(Error(e), StartsWith("asin: required"));
  e.asin = "b00000000'";
  EXPECT_THAT(Error(e), StartsWith("asin"));
  e = Accepted();
  e.occurred_at = absl::FromUnixSeconds(253402300800);  // year 10000
  EXPECT_THAT(Error(e), StartsWith("occurred_at"));
  for (int rating : {0, 6, -1}) {
    e = Event(review::ReviewAccepted{rating, false, "shopper-1"});
    EXPECT_THAT(Error(e), StartsWith("accepted.rating"));
  }
  e = Event(review::ReviewAccepted{3, false, std::string("u\0", 2)});
  EXPECT_THAT(Error(e), StartsWith("accepted.user_id"));
  e = Event(review::ReviewAccepted{3, false, std::string(200, 'u')});
  EXPECT_THAT(Error(e), StartsWith("accepted.user_id"));
  e = Event(review::ReviewRemoved{"sp\nam"});
  EXPECT_THAT(Error(e), StartsWith("removed.reason_code"));
  e = Event(review::ReviewRestored{"\x1b[31m"});
  EXPECT_THAT(Error(e), StartsWith("restored.reason_code"));
}

TEST(ReviewEventTest, OptionalFieldsMayBeEmpty) {
  // The ledger reads the author from the reviews row; an Accepted without one still applies.
  EXPECT_TRUE(ValidateReviewEvent(Event(review::ReviewAccepted{5, false, ""})).ok());
  EXPECT_TRUE(ValidateReviewEvent(Event(review::ReviewRemoved{""})).ok());
  review::ReviewEvent e = Event(review::ReviewRestored{""});
  e.occurred_at = absl::InfinitePast();
  EXPECT_TRUE(ValidateReviewEvent(e).ok());
}

}  // namespace
}  // namespace candor::events
