#include "services/reco-api/history_consumer.h"

#include "absl/strings/str_cat.h"
#include "libs/events/review_events.h"

namespace candor::reco_api {

absl::Status HistoryConsumer::Handle(const std::vector<kafka::Message>& batch,
                                     std::vector<kafka::Poison>* poison) {
  const size_t poisoned_before = poison->size();
  const std::vector<review::ReviewEvent> events =
      kafka::DecodeBatch<review::ReviewEvent>(events::DecodeReviewEvent, batch, poison);
  poison_.fetch_add(static_cast<int64_t>(poison->size() - poisoned_before),
                    std::memory_order_relaxed);
  if (absl::Status s = store_.Apply(events, clock_.Now()); !s.ok()) return s;
  applied_.fetch_add(static_cast<int64_t>(events.size()), std::memory_order_relaxed);
  return absl::OkStatus();
}

std::string HistoryConsumer::Describe() const {
  return absl::StrCat("applied=", applied_.load(std::memory_order_relaxed),
                      " poison=", poison_.load(std::memory_order_relaxed));
}

}  // namespace candor::reco_api
