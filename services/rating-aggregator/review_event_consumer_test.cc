#include "services/rating-aggregator/review_event_consumer.h"

#include "gtest/gtest.h"

namespace candor::rating_aggregator {
namespace {

// Decoding and validation are libs/events' (review_events_test.cc); this is what the ledger makes
// of each kind of event.
review::ReviewEvent Event(decltype(review::ReviewEvent::change) change) {
  review::ReviewEvent e;
  e.review_id = "0123456789abcdef0123456789abcdef";
  e.asin = "B000000001";
  e.occurred_at = absl::FromUnixSeconds(1700000000);
  e.change = std::move(change);
  return e;
}

TEST(ToLedgerEventTest, KindsMapToLedgerFlips) {
  LedgerEvent d = ToLedgerEvent(Event(review::ReviewAccepted{5, false, "u1"}));
  EXPECT_EQ(d.kind, LedgerEvent::Kind::kCount);
  EXPECT_EQ(d.review_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(d.asin, "B000000001");
  EXPECT_EQ(ToLedgerEvent(Event(review::ReviewRestored{"appeal"})).kind, LedgerEvent::Kind::kCount);
  EXPECT_EQ(ToLedgerEvent(Event(review::ReviewRemoved{"spam"})).kind, LedgerEvent::Kind::kUncount);
}

}  // namespace
}  // namespace candor::rating_aggregator
