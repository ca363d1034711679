#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/service/grpc_config.h"
#include "libs/service/rest_component.h"
#include "libs/service/service_config.h"

namespace candor::reco_api {

// What it connects: Redis (the users' histories and the popularity counts it keeps from
// review-events) and a producer (reco-impressions, and the loop's dead letters).
inline constexpr service::AdapterSet kAdapters = {.redis = true, .producer = true};

// Every setting of candor-reco-api; README.md documents each one. Defaults suit the local stack
// of tools/stack/stack.sh.
struct Config {
  // Every Recommend reads Redis once, on the gRPC thread that serves it.
  service::ServiceConfig service = {.redis_timeout_ms = 500, .redis_pool_size = 8};
  service::ConsumerConfig consumer = {
      .group = "reco-api",
      .input_topic = events::kReviewEventsTopic,
      .max_batch = 2000,
      .batch_linger_ms = 20,
  };
  service::GrpcConfig grpc = {.listen = "127.0.0.1:50062", .max_request_bytes = 16 * 1024};
  service::RestConfig rest{};
  // The two-tower export of candor-reco-train; empty: no model (popular lists only).
  std::string model;
  std::string index = "auto";  // auto | hnsw | exact
  int64_t exact_max_items = 200000;
  int64_t hnsw_m = 32;
  int64_t hnsw_ef_search = 128;
  int64_t candidates = 1000;
  // The XGBoost ranker of candor-reco-rank-train (its .meta.json beside it); empty: none.
  std::string ranker;
  int64_t ranker_candidates = 0;  // 0: the depth the ranker was trained on
  int64_t model_reload_s = 30;    // how often the model file's time is checked; 0: never
  std::string rules;              // business rules JSON; empty: none
  std::string experiments;        // A/B experiment JSON; empty: one variant, the funnel
  int64_t history_cap = 200;
  int64_t popular_window_days = 30;
  int64_t popular_refresh_s = 10;
  std::string impressions_topic = events::kRecoImpressionsTopic;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: the scaffold's settings, the index kind, the files
// named exist. InvalidArgument naming the flag.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::reco_api
