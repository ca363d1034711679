#include "libs/service/service_config.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/core/log.h"

namespace candor::service {
namespace {

// "votes" -> "votes-" (flags) and "VOTES_" (environment); "" -> "".
std::string FlagPrefix(const std::string& name) { return name.empty() ? "" : name + "-"; }
std::string EnvPrefix(const std::string& name) {
  if (name.empty()) return "";
  return absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}})) + "_";
}

void RegisterConsumer(core::Flags& flags, const std::string& env_prefix, const ConsumerFlags& c) {
  const std::string flag = FlagPrefix(c.spec.name);
  const std::string env = env_prefix + EnvPrefix(c.spec.name);
  ConsumerConfig* config = c.config;
  flags.AddString(flag + "group", env + "GROUP", &config->group, "Kafka consumer group id");
  flags.AddString(flag + "input-topic", env + "INPUT_TOPIC", &config->input_topic,
                  c.spec.input_topic_help);
  flags.AddInt(flag + "max-batch", env + "MAX_BATCH", &config->max_batch, c.spec.max_batch_help, 1,
               c.spec.max_batch_limit);
  flags.AddInt(flag + "batch-linger-ms", env + "BATCH_LINGER_MS", &config->batch_linger_ms,
               "how long a batch waits for more messages after its first (0: take what is "
               "buffered)",
               0, 1000);
  flags.AddInt(flag + "max-apply-attempts", env + "MAX_APPLY_ATTEMPTS", &config->max_apply_attempts,
               "how many times a message that fails on its own with an error retrying cannot "
               "cure (a constraint violation, a value the store refuses) is tried before it goes "
               "to <input-topic>.dlq and the partition moves on; transient errors (connection, "
               "serialization, timeouts) are retried without limit",
               1, 100);
}

}  // namespace

std::vector<std::string> InputTopics(const ConsumerConfig& config) {
  return absl::StrSplit(config.input_topic, ',', absl::SkipWhitespace());
}

void RegisterAdminPortFlag(core::Flags& flags, const std::string& env_prefix, int64_t default_port,
                           int64_t* port) {
  *port = default_port;
  flags.AddInt("admin-port", env_prefix + "ADMIN_PORT", port,
               "admin HTTP port on every interface: /metrics (Prometheus), /healthz, /readyz; 0 "
               "picks a free one (logged)",
               0, 65535);
}

void RegisterServiceFlags(core::Flags& flags, const ServiceFlagSpec& spec, ServiceConfig* c,
                          const std::vector<ConsumerFlags>& consumers) {
  auto env = [&](const char* name) { return absl::StrCat(spec.env_prefix, name); };
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
                  "Kafka bootstrap servers, host:port[,host:port...]");
  if (spec.adapters.postgres) {
    flags.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection string");
  }
  if (spec.adapters.redis) {
    flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr, spec.redis_addr_help);
  }
  flags.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level,
                  "trace, debug, info, warn, error, critical or off");
  flags.AddString("log-format", env("LOG_FORMAT"), &c->log_format,
                  "text (one line per event) or json (one object per line: time, level, service, "
                  "message, batch when known)");
  RegisterAdminPortFlag(flags, spec.env_prefix, spec.admin_port, &c->admin_port);
  for (const ConsumerFlags& consumer : consumers)
    RegisterConsumer(flags, spec.env_prefix, consumer);
  if (spec.adapters.redis) {
    flags.AddInt("redis-timeout-ms", env("REDIS_TIMEOUT_MS"), &c->redis_timeout_ms,
                 spec.redis_timeout_help, 10, 60000);
    flags.AddInt("redis-pool-size", env("REDIS_POOL_SIZE"), &c->redis_pool_size,
                 "Redis connections", 1, 64);
  }
  if (spec.adapters.postgres) {
    flags.AddInt("pg-pool-size", env("PG_POOL_SIZE"), &c->pg_pool_size, "PostgreSQL connections", 1,
                 64);
  }
  flags.AddInt("startup-timeout-ms", env("STARTUP_TIMEOUT_MS"), &c->startup_timeout_ms,
               "how long startup waits for a Kafka broker to answer", 100, 600000);
  flags.AddInt("stats-interval-s", env("STATS_INTERVAL_S"), &c->stats_interval_s,
               "seconds between stats log lines", 1, 3600);
}

absl::Status ValidateServiceConfig(const ServiceConfig& c, const AdapterSet& adapters) {
  if (absl::Status s = core::ValidateLogLevel(c.log_level); !s.ok()) return s;
  if (absl::Status s = core::ValidateLogFormat(c.log_format); !s.ok()) return s;
  for (const auto& [flag, value, used] : {std::tuple{"--kafka-brokers", &c.kafka_brokers, true},
                                          {"--pg-dsn", &c.pg_dsn, adapters.postgres},
                                          {"--redis-addr", &c.redis_addr, adapters.redis}}) {
    if (used && value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": must not be empty"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateConsumerConfig(const ConsumerConfig& c, const std::string& name) {
  const std::string flag = "--" + FlagPrefix(name);
  if (c.group.empty()) return absl::InvalidArgumentError(flag + "group: must not be empty");
  const std::vector<std::string> topics = InputTopics(c);
  if (topics.empty()) return absl::InvalidArgumentError(flag + "input-topic: must not be empty");
  if (std::set<std::string>(topics.begin(), topics.end()).size() != topics.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, "input-topic: names a topic twice (", c.input_topic, ")"));
  }
  return absl::OkStatus();
}

}  // namespace candor::service
