#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::fraud_scorer {

// Every setting of candor-fraud-scorer; README.md documents each one. Defaults suit the local
// stack of tools/stack/stack.sh.
struct Config {
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string redis_addr = "127.0.0.1:6390";
  std::string log_level = "info";

  std::string group = "fraud-scorer";
  std::string input_topic = "review-submissions";
  std::string output_topic = "review-events";
  // 250: at 10k reviews/s a batch of 500 took ~70 ms end to end (p99) and one of 250 ~40 ms, at
  // the same throughput (bench/run_pipeline.sh, scorer).
  int64_t max_batch = 250;
  // How long a batch stays open for more after its first message: larger batches at moderate
  // rates (fewer transactions and round trips per review) for a few ms of freshness.
  int64_t batch_linger_ms = 20;

  double queue_threshold = 0.30;
  double reject_threshold = 0.70;

  int64_t redis_timeout_ms = 500;
  int64_t redis_pool_size = 2;
  int64_t pg_pool_size = 2;
  int64_t publish_timeout_ms = 10000;
  int64_t startup_timeout_ms = 5000;
  int64_t stats_interval_s = 10;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: queue <= reject, a known log level, non-empty names.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::fraud_scorer
