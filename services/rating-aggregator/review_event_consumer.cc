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

absl::Status ReviewEventConsumer::Handle(const std::vector<kafka::Message>& batch,
                                         std::vector<kafka::Poison>* poison) {
  std::vector<LedgerEvent> ledger_events;
  ledger_events.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<review::ReviewEvent> e = events::DecodeReviewEvent(batch[i].value);
    if (!e.ok()) {
      poison->push_back({i, std::string(e.status().message())});
      continue;
    }
    ledger_events.push_back(ToLedgerEvent(*std::move(e)));
  }
  return aggregator_.Apply(ledger_events);
}

}  // namespace candor::rating_aggregator
