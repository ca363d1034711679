#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::service {

// The adapters a service connects at startup, each optional. A service names its set once (a
// constant beside its Config) and hands it to both RegisterServiceFlags (so only the flags of the
// adapters it uses exist) and ServiceApp::Create (so only those are connected).
struct AdapterSet {
  bool redis = false;
  bool postgres = false;
  // A Kafka producer lent to the domain for what it publishes. A service with consumers gets one
  // for its dead letters anyway; this says whether the domain may use it too.
  bool producer = false;
};

// The process-wide settings of a service: where Kafka, Postgres and Redis are, how it logs, how
// it reaches its stores and how long startup waits. The Postgres and Redis fields matter (and
// have flags) only when the service's AdapterSet uses them. A service's Config holds one as
// `service` and sets the defaults that are its own there; its README documents every key.
struct ServiceConfig {
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string redis_addr = "127.0.0.1:6390";
  std::string log_level = "info";
  std::string log_format = "text";  // "text" or "json" (core::InitLogging)
  // The admin HTTP port (/metrics, /healthz, /readyz on every interface). 0 picks a free port
  // (logged); the flag's default is the service's own port (ServiceFlagSpec::admin_port), this
  // field's 0 serves tests that build a config by hand.
  int64_t admin_port = 0;

  int64_t redis_timeout_ms = 1000;
  int64_t redis_pool_size = 2;
  int64_t pg_pool_size = 2;
  int64_t startup_timeout_ms = 5000;
  int64_t stats_interval_s = 10;
};

// The settings of one consume loop: its group, what it consumes and in what batches. A service
// has one per loop (a Config field each), with its own defaults.
struct ConsumerConfig {
  std::string group{};
  // The topic it consumes, or several separated by commas (InputTopics splits them). Poison and
  // messages that keep failing go to `<topic>.dlq` of the topic they came from.
  std::string input_topic{};
  int64_t max_batch = 500;
  // How long a batch stays open for more after its first message: larger batches at moderate
  // rates (fewer transactions and round trips per message) for a few ms of freshness.
  int64_t batch_linger_ms = 20;
  // How many times a message that fails deterministically on its own (a constraint it violates, a
  // value the store refuses) is tried before it goes to `<its topic>.dlq` and the partition
  // moves on (kafka::BatchLoopOptions::max_apply_attempts). Transient failures retry forever.
  int64_t max_apply_attempts = 3;
};

// The topics of `config.input_topic`, split at commas, empty parts dropped. Pure.
std::vector<std::string> InputTopics(const ConsumerConfig& config);

// What the process-wide flags say and allow that differs from service to service.
struct ServiceFlagSpec {
  // Prefix of the service's own environment variables: with "CANDOR_FRAUD_", --max-batch also
  // reads $CANDOR_FRAUD_MAX_BATCH. The connection flags and --log-level read the fleet-wide
  // $CANDOR_KAFKA_BROKERS, $CANDOR_PG_DSN, $CANDOR_REDIS_ADDR and $CANDOR_LOG_LEVEL.
  std::string env_prefix{};
  AdapterSet adapters{};             // whose flags exist
  std::string redis_addr_help{};     // what that Redis holds (with adapters.redis)
  std::string redis_timeout_help{};  // what a slow Redis costs (with adapters.redis)
  // The default of --admin-port ($<env_prefix>ADMIN_PORT): the service's own, so that services
  // on one host never collide (review-gateway 9460, fraud-scorer 9461, rating-aggregator 9462,
  // helpfulness-ranker 9463, index-writer 9464).
  int64_t admin_port = 0;
};

// What one consume loop's flags say and allow.
struct ConsumerFlagSpec {
  // Empty for a service's only (or main) loop: --group, --input-topic, --max-batch ... and
  // $<env_prefix>GROUP ... . "votes" gives --votes-group and $<env_prefix>VOTES_GROUP, so a
  // service with several loops sets each apart.
  std::string name{};
  std::string input_topic_help{};   // what the topic(s) carry
  std::string max_batch_help{};     // what one batch is
  int64_t max_batch_limit = 10000;  // the largest --max-batch accepted
};

// One consume loop's flags: what they say, and the config they fill (must outlive the parse).
struct ConsumerFlags {
  ConsumerFlagSpec spec;
  ConsumerConfig* config;
};

// Registers the fields of `config` that `spec.adapters` needs and every loop's fields with
// `flags`, in the order --help lists them: connections and --log-level, each loop's settings,
// then pools, timeouts and the stats interval. `config` must outlive the parse. A service
// registers its own flags after these. Not thread-safe (as core::Flags).
void RegisterServiceFlags(core::Flags& flags, const ServiceFlagSpec& spec, ServiceConfig* config,
                          const std::vector<ConsumerFlags>& consumers);

// Registers --admin-port ($<env_prefix>ADMIN_PORT), the admin HTTP port of a Candor process
// (StartAdminServer), 0..65535, 0 picking a free one; sets `*port` to `default_port` first, the
// process's own (ServiceFlagSpec::admin_port). RegisterServiceFlags calls it; a process built
// without ServiceApp (review-gateway) calls it itself. Not thread-safe (as core::Flags).
void RegisterAdminPortFlag(core::Flags& flags, const std::string& env_prefix, int64_t default_port,
                           int64_t* port);

// Checks what single-flag ranges cannot: a known log level and format and non-empty addresses of
// the adapters in `adapters`. InvalidArgument naming the flag.
absl::Status ValidateServiceConfig(const ServiceConfig& config, const AdapterSet& adapters);

// Checks a loop's settings: a non-empty group and at least one topic, none twice.
// InvalidArgument naming the flag (with `name` as its prefix, as ConsumerFlagSpec::name).
absl::Status ValidateConsumerConfig(const ConsumerConfig& config, const std::string& name = "");

}  // namespace candor::service
