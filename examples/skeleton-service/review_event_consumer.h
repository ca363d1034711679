#pragma once

#include <vector>

#include "absl/status/status.h"
#include "examples/skeleton-service/tally.h"
#include "libs/kafka/batch_loop.h"

namespace candor::skeleton {

// The skeleton's kafka::BatchHandler on `review-events`: decodes every message with the topic's
// codec (events::DecodeReviewEvent), lists what it refuses as poison (the batch loop sends it to
// `review-events.dlq` with the reason) and counts the rest in the tally. Never fails: counting
// cannot. Called from the loop's thread only; borrows `tally`.
class ReviewEventConsumer final : public kafka::BatchHandler {
 public:
  explicit ReviewEventConsumer(EventTally& tally) : tally_(tally) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  EventTally& tally_;
};

}  // namespace candor::skeleton
