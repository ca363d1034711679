#include "examples/skeleton-service/review_event_consumer.h"

#include <string>

#include "libs/events/review_events.h"

namespace candor::skeleton {

absl::Status ReviewEventConsumer::Handle(const std::vector<kafka::Message>& batch,
                                         std::vector<kafka::Poison>* poison) {
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<review::ReviewEvent> event = events::DecodeReviewEvent(batch[i].value);
    if (!event.ok()) {
      poison->push_back({i, std::string(event.status().message())});
      continue;
    }
    tally_.Count(*event);
  }
  return absl::OkStatus();
}

}  // namespace candor::skeleton
