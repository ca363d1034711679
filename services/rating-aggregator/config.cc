#include "services/rating-aggregator/config.h"

namespace candor::rating_aggregator {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterConsumerFlags(
      flags,
      {.env_prefix = "CANDOR_AGG_",
       .redis_addr_help = "Redis host:port holding rating:{asin}",
       .input_topic_help = "topic of ReviewEvent messages; poison goes to <topic>.dlq",
       .max_batch_help = "most events applied in one Postgres transaction",
       .redis_timeout_help = "Redis connect/command timeout; a failed write retries the batch",
       .max_batch_limit = 100000},
      &c->consumer);
}

absl::Status ValidateConfig(const Config& c) { return service::ValidateConsumerConfig(c.consumer); }

}  // namespace candor::rating_aggregator
