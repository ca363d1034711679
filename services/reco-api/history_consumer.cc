#include "services/reco-api/history_consumer.h"

#include "absl/strings/str_cat.h"
#include "libs/events/review_events.h"

namespace candor::reco_api {

absl::Status HistoryConsumer::Handle(const std::vector<kafka::Message>& batch,
                                     std::vector<kafka::Poison>* poison) {
  std::vector<review::ReviewEvent> events;
  events.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<review::ReviewEvent> event = events::DecodeReviewEvent(batch[i].value);
    if (!event.ok()) {
      poison->push_back({i, std::string(event.status().message())});
      poison_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    events.push_back(*std::move(event));
  }
  if (absl::Status s = store_.Apply(events, clock_.Now()); !s.ok()) return s;
  applied_.fetch_add(static_cast<int64_t>(events.size()), std::memory_order_relaxed);
  return absl::OkStatus();
}

std::string HistoryConsumer::Describe() const {
  return absl::StrCat("applied=", applied_.load(std::memory_order_relaxed),
                      " poison=", poison_.load(std::memory_order_relaxed));
}

}  // namespace candor::reco_api
