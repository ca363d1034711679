#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/service/service_config.h"

namespace candor::fraud_scorer {

// Every setting of candor-fraud-scorer; README.md documents each one. Defaults suit the local
// stack of tools/stack/stack.sh.
// 250: at 10k reviews/s a batch of 500 took ~70 ms end to end (p99) and one of 250 ~40 ms, at the
// same throughput (bench/run_pipeline.sh, scorer).
inline constexpr int64_t kDefaultMaxBatch = 250;

// What it connects: the behaviour windows in Redis, the review tables in Postgres, and a producer
// for the Accepted events (and the dead letters).
inline constexpr service::AdapterSet kAdapters = {
    .redis = true, .postgres = true, .producer = true};

struct Config {
  service::ServiceConfig service = {.redis_timeout_ms = 500};
  service::ConsumerConfig consumer = {
      .group = "fraud-scorer",
      .input_topic = events::kReviewSubmissionsTopic,
      .max_batch = kDefaultMaxBatch,
  };

  std::string output_topic = events::kReviewEventsTopic;
  double queue_threshold = 0.30;
  double reject_threshold = 0.70;
  int64_t publish_timeout_ms = 10000;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: queue <= reject, a known log level, non-empty names,
// distinct input and output topics.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::fraud_scorer
