#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/model.h"
#include "libs/service/service_config.h"

namespace candor::fraud_scorer {

// Every setting of candor-fraud-scorer; README.md documents each one. Defaults suit the local
// stack of tools/stack/stack.sh.
// 150: with the model, the stages overlapped and statements planned per call, 80,000 reviews ran
// at 12,870/s with p99 42 ms in batches of 150 and at 12,865/s with p99 52-60 ms in batches of
// 250 (candor-scorer-bench, 2026-12-06; bench/README.md). A review waits for its batch's scoring
// and its batch's store, so latency follows the batch; throughput did not drop at 150.
inline constexpr int64_t kDefaultMaxBatch = 150;

// What it connects: the behaviour windows in Redis, the review tables in Postgres, and a producer
// for the Accepted events (and the dead letters).
inline constexpr service::AdapterSet kAdapters = {
    .redis = true, .postgres = true, .producer = true};

// The model scorer's settings. The service's Config and candor-fraud-rescore's
// (services/fraud-scorer/rescore) each hold one, read from the same flags and environment
// variables (RegisterModelFlags) with the same defaults, so a re-score routes as the service does.
struct ModelSettings {
  // The model file (XGBoost JSON) with its metadata beside it (<model>.meta.json).
  std::string model_path = "models/fraud/current.json";
  // Datacenter networks behind the datacenter_ip feature, one CIDR a line; empty = none.
  std::string datacenter_cidrs_path = "models/fraud/datacenter-cidrs.txt";
  int64_t top_reasons = 3;
  double queue_threshold = 0.30;
  double reject_threshold = 0.70;

  bool operator==(const ModelSettings&) const = default;
};

struct Config {
  service::ServiceConfig service = {.redis_timeout_ms = 500};
  service::ConsumerConfig consumer = {
      .group = "fraud-scorer",
      .input_topic = events::kReviewSubmissionsTopic,
      .max_batch = kDefaultMaxBatch,
  };

  std::string output_topic = events::kReviewEventsTopic;
  // "model" (design.md 4: the behaviour features through the trained model) or "rules" (the
  // documented rule set rules-v1, kept for comparison and for tests that need fixed decisions).
  std::string scorer = "model";
  ModelSettings model;
  int64_t publish_timeout_ms = 10000;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Registers --queue-threshold, --reject-threshold, --model, --datacenter-cidrs and --top-reasons
// (environment CANDOR_FRAUD_*) for the fields of `model`, which must outlive the parse.
void RegisterModelFlags(core::Flags& flags, ModelSettings* model);

// InvalidArgument naming both flags when `queue` exceeds `reject`.
absl::Status ValidateThresholds(double queue, double reject);

// The model scorer's files, loaded.
struct ModelFiles {
  std::unique_ptr<fraud::FraudModel> model;
  fraud::CidrList datacenters;  // empty when no file is named
};

// Loads the model at `model_path` (with its metadata) and the datacenter list at
// `datacenter_cidrs_path` ("" for none). FailedPrecondition naming the flag, the file and the
// problem (a missing, corrupt or mismatched model; a CIDR file's bad line by number).
absl::StatusOr<ModelFiles> LoadModelFiles(const std::string& model_path,
                                          const std::string& datacenter_cidrs_path);

// Checks what single-flag ranges cannot: queue <= reject, a known log level, non-empty names,
// distinct input and output topics, a known --scorer.
absl::Status ValidateConfig(const Config& config);

// With --scorer model: loads the model (and its metadata) and the datacenter list, so a missing,
// corrupt or mismatched file stops the service before it connects (exit 2, the message naming
// the file and the problem).
absl::Status CheckConfigFiles(const Config& config);

}  // namespace candor::fraud_scorer
