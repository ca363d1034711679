#include "services/fraud-scorer/config.h"

#include "absl/strings/str_cat.h"

namespace candor::fraud_scorer {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags,
      {.env_prefix = "CANDOR_FRAUD_",
       .adapters = kAdapters,
       .redis_addr_help = "Redis host:port holding the behaviour windows",
       .redis_timeout_help =
           "Redis connect/command timeout; past it the review is stored unscored"},
      &c->service,
      {{{.input_topic_help = "topic of ReviewSubmitted messages; poison goes to <topic>.dlq",
         .max_batch_help = "most messages scored and stored in one transaction",
         .max_batch_limit = 10000},
        &c->consumer}});
  flags.AddString("output-topic", "CANDOR_FRAUD_OUTPUT_TOPIC", &c->output_topic,
                  "topic the ReviewEvent{accepted} messages go to");
  flags.AddDouble("queue-threshold", "CANDOR_FRAUD_QUEUE_THRESHOLD", &c->queue_threshold,
                  "scores at or above this go to the moderation queue (status held)", 0.0, 1.0);
  flags.AddDouble("reject-threshold", "CANDOR_FRAUD_REJECT_THRESHOLD", &c->reject_threshold,
                  "scores above this are rejected; must be >= --queue-threshold", 0.0, 1.0);
  flags.AddInt("publish-timeout-ms", "CANDOR_FRAUD_PUBLISH_TIMEOUT_MS", &c->publish_timeout_ms,
               "how long a batch waits for Kafka to confirm its Accepted events before it is "
               "retried",
               100, 600000);
}

absl::Status ValidateConfig(const Config& c) {
  if (c.queue_threshold > c.reject_threshold) {
    return absl::InvalidArgumentError(absl::StrCat("--queue-threshold (", c.queue_threshold,
                                                   ") must not exceed --reject-threshold (",
                                                   c.reject_threshold, ")"));
  }
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  if (c.output_topic.empty())
    return absl::InvalidArgumentError("--output-topic: must not be empty");
  for (const std::string& input : service::InputTopics(c.consumer)) {
    if (input == c.output_topic) {
      return absl::InvalidArgumentError("--input-topic and --output-topic must differ");
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer
