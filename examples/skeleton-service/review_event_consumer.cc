#include "examples/skeleton-service/review_event_consumer.h"

#include "libs/events/review_events.h"

namespace candor::skeleton {

absl::Status ReviewEventConsumer::Handle(const std::vector<kafka::Message>& batch,
                                         std::vector<kafka::Poison>* poison) {
  for (const review::ReviewEvent& event :
       kafka::DecodeBatch<review::ReviewEvent>(events::DecodeReviewEvent, batch, poison)) {
    tally_.Count(event);
  }
  return absl::OkStatus();
}

}  // namespace candor::skeleton
