#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::rating_aggregator {

// Every setting of candor-rating-aggregator; README.md documents each one. Defaults suit the
// local stack of tools/stack/stack.sh.
struct Config {
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string redis_addr = "127.0.0.1:6390";
  std::string log_level = "info";

  std::string group = "rating-aggregator";
  std::string input_topic = "review-events";
  int64_t max_batch = 1000;
  // How long a batch stays open for more after its first event (see fraud-scorer's Config).
  int64_t batch_linger_ms = 20;

  int64_t redis_timeout_ms = 1000;
  int64_t redis_pool_size = 2;
  int64_t pg_pool_size = 2;
  int64_t startup_timeout_ms = 5000;
  int64_t stats_interval_s = 10;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: a known log level, non-empty names.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::rating_aggregator
