#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/core/clock.h"
#include "libs/kafka/batch_loop.h"
#include "services/reco-api/history_store.h"

namespace candor::reco_api {

// The consume loop's handler on review-events: decodes each event (what does not decode goes to
// review-events.dlq) and applies the batch to the history store in one go. A store outage is
// Unavailable, so the loop retries the batch (the store's Apply is idempotent).
class HistoryConsumer final : public kafka::BatchHandler {
 public:
  HistoryConsumer(HistoryStore& store, const core::Clock& clock) : store_(store), clock_(clock) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

  // "applied=12 poison=0" for the stats line.
  std::string Describe() const;
  const std::atomic<int64_t>& applied() const { return applied_; }

 private:
  HistoryStore& store_;
  const core::Clock& clock_;
  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> poison_{0};
};

}  // namespace candor::reco_api
