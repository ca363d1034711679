#include "services/reco-api/impression_log.h"

#include "spdlog/spdlog.h"

namespace candor::reco_api {

void KafkaImpressionLog::Publish(const events::RecoImpression& impression) {
  // The callback runs on the producer's thread after this object's owner (the domain) has
  // flushed the producer in shutdown, so `this` outlives it.
  absl::Status enqueued =
      producer_.Produce(topic_, impression.user_id, events::EncodeRecoImpression(impression),
                        [this](const absl::Status& delivered) {
                          if (delivered.ok()) {
                            published_.fetch_add(1, std::memory_order_relaxed);
                            return;
                          }
                          if (lost_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
                            spdlog::warn("impression not delivered to {}: {} (counted in lost)",
                                         topic_, std::string(delivered.message()));
                          }
                        });
  if (!enqueued.ok() && lost_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
    spdlog::warn("impression not enqueued to {}: {} (counted in lost)", topic_,
                 std::string(enqueued.message()));
  }
}

}  // namespace candor::reco_api
