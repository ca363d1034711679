#include "services/rating-aggregator/review_event_consumer.h"

#include <variant>

#include "libs/events/review_events.h"

namespace candor::rating_aggregator {
namespace {

// One overload per kind of event, so a kind added to review::ReviewEvent fails to compile here
// until the ledger knows what it means.
struct LedgerKindOf {
  LedgerEvent::Kind operator()(const review::ReviewAccepted&) const {
    return LedgerEvent::Kind::kCount;
  }
  LedgerEvent::Kind operator()(const review::ReviewRestored&) const {
    return LedgerEvent::Kind::kCount;
  }
  LedgerEvent::Kind operator()(const review::ReviewRemoved&) const {
    return LedgerEvent::Kind::kUncount;
  }
};

}  // namespace

LedgerEvent ToLedgerEvent(review::ReviewEvent event) {
  LedgerEvent e;
  e.review_id = std::move(event.review_id);
  e.asin = std::move(event.asin);
  e.kind = std::visit(LedgerKindOf{}, event.change);
  return e;
}

kafka::DecodingHandler<LedgerEvent> ReviewEventConsumer(Aggregator& aggregator) {
  return {
      [](std::string_view bytes) -> absl::StatusOr<LedgerEvent> {
        absl::StatusOr<review::ReviewEvent> e = events::DecodeReviewEvent(bytes);
        if (!e.ok()) return e.status();
        return ToLedgerEvent(*std::move(e));
      },
      [&aggregator](const std::vector<LedgerEvent>& events) { return aggregator.Apply(events); }};
}

}  // namespace candor::rating_aggregator
