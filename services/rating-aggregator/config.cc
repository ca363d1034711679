#include "services/rating-aggregator/config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::rating_aggregator {

void RegisterFlags(core::Flags& flags, Config* c) {
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
                  "Kafka bootstrap servers, host:port[,host:port...]");
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection string");
  flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr,
                  "Redis host:port holding rating:{asin}");
  flags.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level,
                  "trace, debug, info, warn, error, critical or off");
  flags.AddString("group", "CANDOR_AGG_GROUP", &c->group, "Kafka consumer group id");
  flags.AddString("input-topic", "CANDOR_AGG_INPUT_TOPIC", &c->input_topic,
                  "topic of ReviewEvent messages; poison goes to <topic>.dlq");
  flags.AddInt("max-batch", "CANDOR_AGG_MAX_BATCH", &c->max_batch,
               "most events applied in one Postgres transaction", 1, 100000);
  flags.AddInt("batch-linger-ms", "CANDOR_AGG_BATCH_LINGER_MS", &c->batch_linger_ms,
               "how long a batch waits for more events after its first (0: take what is "
               "buffered)",
               0, 1000);
  flags.AddInt("redis-timeout-ms", "CANDOR_AGG_REDIS_TIMEOUT_MS", &c->redis_timeout_ms,
               "Redis connect/command timeout; a failed write retries the batch", 10, 60000);
  flags.AddInt("redis-pool-size", "CANDOR_AGG_REDIS_POOL_SIZE", &c->redis_pool_size,
               "Redis connections", 1, 64);
  flags.AddInt("pg-pool-size", "CANDOR_AGG_PG_POOL_SIZE", &c->pg_pool_size,
               "PostgreSQL connections", 1, 64);
  flags.AddInt("startup-timeout-ms", "CANDOR_AGG_STARTUP_TIMEOUT_MS", &c->startup_timeout_ms,
               "how long startup waits for a Kafka broker to answer", 100, 600000);
  flags.AddInt("stats-interval-s", "CANDOR_AGG_STATS_INTERVAL_S", &c->stats_interval_s,
               "seconds between stats log lines", 1, 3600);
}

absl::Status ValidateConfig(const Config& c) {
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

}  // namespace candor::rating_aggregator
