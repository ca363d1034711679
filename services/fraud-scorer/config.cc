#include "services/fraud-scorer/config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::fraud_scorer {

void RegisterFlags(core::Flags& flags, Config* c) {
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
                  "Kafka bootstrap servers, host:port[,host:port...]");
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection string");
  flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr,
                  "Redis host:port holding the behaviour windows");
  flags.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level,
                  "trace, debug, info, warn, error, critical or off");
  flags.AddString("group", "CANDOR_FRAUD_GROUP", &c->group, "Kafka consumer group id");
  flags.AddString("input-topic", "CANDOR_FRAUD_INPUT_TOPIC", &c->input_topic,
                  "topic of ReviewSubmitted messages; poison goes to <topic>.dlq");
  flags.AddString("output-topic", "CANDOR_FRAUD_OUTPUT_TOPIC", &c->output_topic,
                  "topic the ReviewEvent{accepted} messages go to");
  flags.AddInt("max-batch", "CANDOR_FRAUD_MAX_BATCH", &c->max_batch,
               "most messages scored and stored in one transaction", 1, 10000);
  flags.AddInt("batch-linger-ms", "CANDOR_FRAUD_BATCH_LINGER_MS", &c->batch_linger_ms,
               "how long a batch waits for more messages after its first (0: take what is "
               "buffered)",
               0, 1000);
  flags.AddDouble("queue-threshold", "CANDOR_FRAUD_QUEUE_THRESHOLD", &c->queue_threshold,
                  "scores at or above this go to the moderation queue (status pending)", 0.0, 1.0);
  flags.AddDouble("reject-threshold", "CANDOR_FRAUD_REJECT_THRESHOLD", &c->reject_threshold,
                  "scores above this are rejected; must be >= --queue-threshold", 0.0, 1.0);
  flags.AddInt("redis-timeout-ms", "CANDOR_FRAUD_REDIS_TIMEOUT_MS", &c->redis_timeout_ms,
               "Redis connect/command timeout; past it the review is stored unscored", 10, 60000);
  flags.AddInt("redis-pool-size", "CANDOR_FRAUD_REDIS_POOL_SIZE", &c->redis_pool_size,
               "Redis connections", 1, 64);
  flags.AddInt("pg-pool-size", "CANDOR_FRAUD_PG_POOL_SIZE", &c->pg_pool_size,
               "PostgreSQL connections", 1, 64);
  flags.AddInt("publish-timeout-ms", "CANDOR_FRAUD_PUBLISH_TIMEOUT_MS", &c->publish_timeout_ms,
               "how long a batch waits for Kafka to confirm its Accepted events before it is "
               "retried",
               100, 600000);
  flags.AddInt("startup-timeout-ms", "CANDOR_FRAUD_STARTUP_TIMEOUT_MS", &c->startup_timeout_ms,
               "how long startup waits for a Kafka broker to answer", 100, 600000);
  flags.AddInt("stats-interval-s", "CANDOR_FRAUD_STATS_INTERVAL_S", &c->stats_interval_s,
               "seconds between stats log lines", 1, 3600);
}

absl::Status ValidateConfig(const Config& c) {
  if (c.queue_threshold > c.reject_threshold) {
    return absl::InvalidArgumentError(absl::StrCat("--queue-threshold (", c.queue_threshold,
                                                   ") must not exceed --reject-threshold (",
                                                   c.reject_threshold, ")"));
  }
  if (absl::Status s = core::ValidateLogLevel(c.log_level); !s.ok()) return s;
  for (const auto& [flag, value] : {std::pair{"--kafka-brokers", &c.kafka_brokers},
                                    {"--pg-dsn", &c.pg_dsn},
                                    {"--redis-addr", &c.redis_addr},
                                    {"--group", &c.group},
                                    {"--input-topic", &c.input_topic},
                                    {"--output-topic", &c.output_topic}}) {
    if (value->empty())
      return absl::InvalidArgumentError(absl::StrCat(flag, ": must not be empty"));
  }
  if (c.input_topic == c.output_topic) {
    return absl::InvalidArgumentError("--input-topic and --output-topic must differ");
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer
