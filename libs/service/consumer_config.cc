#include "libs/service/consumer_config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::service {

void RegisterConsumerFlags(core::Flags& flags, const ConsumerFlagSpec& spec, ConsumerConfig* c) {
  auto env = [&](const char* name) { return absl::StrCat(spec.env_prefix, name); };
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
                  "Kafka bootstrap servers, host:port[,host:port...]");
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection string");
  flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr, spec.redis_addr_help);
  flags.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level,
                  "trace, debug, info, warn, error, critical or off");
  flags.AddString("group", env("GROUP"), &c->group, "Kafka consumer group id");
  flags.AddString("input-topic", env("INPUT_TOPIC"), &c->input_topic, spec.input_topic_help);
  flags.AddInt("max-batch", env("MAX_BATCH"), &c->max_batch, spec.max_batch_help, 1,
               spec.max_batch_limit);
  flags.AddInt("batch-linger-ms", env("BATCH_LINGER_MS"), &c->batch_linger_ms,
               "how long a batch waits for more messages after its first (0: take what is "
               "buffered)",
               0, 1000);
  flags.AddInt("max-apply-attempts", env("MAX_APPLY_ATTEMPTS"), &c->max_apply_attempts,
               "how many times a message that fails on its own with an error retrying cannot "
               "cure (a constraint violation, a value the store refuses) is tried before it goes "
               "to <input-topic>.dlq and the partition moves on; transient errors (connection, "
               "serialization, timeouts) are retried without limit",
               1, 100);
  flags.AddInt("redis-timeout-ms", env("REDIS_TIMEOUT_MS"), &c->redis_timeout_ms,
               spec.redis_timeout_help, 10, 60000);
  flags.AddInt("redis-pool-size", env("REDIS_POOL_SIZE"), &c->redis_pool_size, "Redis connections",
               1, 64);
  flags.AddInt("pg-pool-size", env("PG_POOL_SIZE"), &c->pg_pool_size, "PostgreSQL connections", 1,
               64);
  flags.AddInt("startup-timeout-ms", env("STARTUP_TIMEOUT_MS"), &c->startup_timeout_ms,
               "how long startup waits for a Kafka broker to answer", 100, 600000);
  flags.AddInt("stats-interval-s", env("STATS_INTERVAL_S"), &c->stats_interval_s,
               "seconds between stats log lines", 1, 3600);
}

absl::Status ValidateConsumerConfig(const ConsumerConfig& c) {
  if (absl::Status s = core::ValidateLogLevel(c.log_level); !s.ok()) return s;
  for (const auto& [flag, value] : {std::pair{"--kafka-brokers", &c.kafka_brokers},
                                    {"--pg-dsn", &c.pg_dsn},
                                    {"--redis-addr", &c.redis_addr},
                                    {"--group", &c.group},
                                    {"--input-topic", &c.input_topic}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": must not be empty"));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::service
