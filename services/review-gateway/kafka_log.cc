#include "services/review-gateway/kafka_log.h"

#include <memory>

namespace candor::gateway {

void PublishReported(kafka::Producer& producer, const std::string& topic, std::string_view key,
                     std::string_view value, std::function<void(absl::Status)> done) {
  // `done` moves into the delivery report, shared so that a refusal can still answer it.
  auto shared_done = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  absl::Status enqueued =
      producer.Produce(topic, key, value, [shared_done](absl::Status st) { (*shared_done)(st); });
  if (!enqueued.ok()) (*shared_done)(absl::UnavailableError(enqueued.message()));
}

}  // namespace candor::gateway
