// The skeleton's domain and handler, without Kafka: what each kind of event counts, and what
// the handler lists as poison.
#include "examples/skeleton-service/review_event_consumer.h"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "libs/events/review_events.h"

namespace candor::skeleton {
namespace {

constexpr char kReviewId[] = "0123456789abcdef0123456789abcdef";

// A valid event of one review with `change`, encoded by the topic's codec.
kafka::Message MessageOf(
    std::variant<review::ReviewAccepted, review::ReviewRemoved, review::ReviewRestored> change) {
  review::ReviewEvent event;
  event.review_id = kReviewId;
  event.asin = "B00004Y2UT";
  event.change = std::move(change);
  kafka::Message m;
  m.topic = "review-events";
  m.value = events::EncodeReviewEvent(event);
  return m;
}

review::ReviewAccepted AcceptedWith(int rating) {
  review::ReviewAccepted a;
  a.rating = rating;
  return a;
}

TEST(ReviewEventConsumerTest, CountsEachKindAndListsPoison) {
  EventTally tally;
  ReviewEventConsumer handler(tally);
  kafka::Message garbage;
  garbage.value = "not a protobuf";
  const std::vector<kafka::Message> batch = {
      MessageOf(AcceptedWith(5)),
      garbage,
      MessageOf(AcceptedWith(0)),  // refused by the codec
      MessageOf(review::ReviewRemoved{.reason_code = "spam"}),
      MessageOf(review::ReviewRestored{}),
      MessageOf(AcceptedWith(3)),
  };
  std::vector<kafka::Poison> poison;
  ASSERT_TRUE(handler.Handle(batch, &poison).ok());

  EXPECT_EQ(tally.Counts(), (TallyCounts{.accepted = 2, .removed = 1, .restored = 1}));
  EXPECT_EQ(tally.Describe(), "accepted=2 removed=1 restored=1");
  ASSERT_EQ(poison.size(), 2u);
  EXPECT_EQ(poison[0].index, 1u);
  EXPECT_EQ(poison[1].index, 2u);
  EXPECT_NE(poison[1].reason.find("accepted.rating"), std::string::npos) << poison[1].reason;
}

}  // namespace
}  // namespace candor::skeleton
