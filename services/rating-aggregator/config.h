#pragma once

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/service/reconcile_config.h"
#include "libs/service/service_config.h"

namespace candor::rating_aggregator {

// Every setting of candor-rating-aggregator; README.md documents each one. Defaults suit the
// local stack of tools/stack/stack.sh. Besides the settings every consumer service has, the
// healer's (rating_healer.h).
// What it connects: the review ledger and product_ratings in Postgres, rating:{asin} in Redis.
// It publishes nothing itself (its dead letters have a producer of their own).
inline constexpr service::AdapterSet kAdapters = {.redis = true, .postgres = true};

struct Config {
  service::ServiceConfig service = {.redis_timeout_ms = 1000};
  service::ConsumerConfig consumer = {
      .group = "rating-aggregator",
      .input_topic = events::kReviewEventsTopic,
      .max_batch = 1000,
  };
  // How often the healer checks Redis against Postgres (0: never); also how long it leaves a
  // just-changed product to the aggregator's own write.
  int64_t heal_interval_ms = 5000;
  // How far back each routine check looks for changed products.
  int64_t heal_window_s = 60;
  // One-shot commands instead of running (rating_reconciler.h): compare every product's
  // aggregate with its counted reviews (I2) and its Redis copy (I3); --repair also fixes what
  // differs and checks again.
  service::ReconcileConfig reconcile;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: a known log level, non-empty names, one command.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::rating_aggregator
