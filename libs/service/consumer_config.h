#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::service {

// The settings every Kafka consumer service has: where Kafka, Postgres and Redis are, how it
// logs, what it consumes and in what batches, and how long startup waits. A service's Config
// holds one as `consumer` and sets the defaults that are its own (group, input topic, batch size,
// Redis timeout); its README documents every key.
struct ConsumerConfig {
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string redis_addr = "127.0.0.1:6390";
  std::string log_level = "info";

  std::string group;
  std::string input_topic;
  int64_t max_batch = 500;
  // How long a batch stays open for more after its first message: larger batches at moderate
  // rates (fewer transactions and round trips per message) for a few ms of freshness.
  int64_t batch_linger_ms = 20;
  // How many times a message that fails deterministically on its own (a constraint it violates, a
  // value the store refuses) is tried before it goes to `<input topic>.dlq` and the partition
  // moves on (kafka::BatchLoopOptions::max_apply_attempts). Transient failures retry forever.
  int64_t max_apply_attempts = 3;

  int64_t redis_timeout_ms = 1000;
  int64_t redis_pool_size = 2;
  int64_t pg_pool_size = 2;
  int64_t startup_timeout_ms = 5000;
  int64_t stats_interval_s = 10;
};

// What the shared flags say and allow that differs from service to service.
struct ConsumerFlagSpec {
  // Prefix of the service's own environment variables: with "CANDOR_FRAUD_", --max-batch also
  // reads $CANDOR_FRAUD_MAX_BATCH. The connection flags and --log-level read the fleet-wide
  // $CANDOR_KAFKA_BROKERS, $CANDOR_PG_DSN, $CANDOR_REDIS_ADDR and $CANDOR_LOG_LEVEL.
  std::string env_prefix;
  // --help texts that name the service's own data.
  std::string redis_addr_help;      // what that Redis holds
  std::string input_topic_help;     // what the topic carries
  std::string max_batch_help;       // what one batch is
  std::string redis_timeout_help;   // what a slow Redis costs
  int64_t max_batch_limit = 10000;  // the largest --max-batch accepted
};

// Registers every field of `config` (which must outlive the parse) with `flags`, in the order
// --help lists them. A service registers its own flags after these.
void RegisterConsumerFlags(core::Flags& flags, const ConsumerFlagSpec& spec,
                           ConsumerConfig* config);

// Checks what single-flag ranges cannot: a known log level and non-empty addresses, group and
// input topic. InvalidArgument naming the flag.
absl::Status ValidateConsumerConfig(const ConsumerConfig& config);

}  // namespace candor::service
