#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/helpfulness/score.h"
#include "libs/service/reconcile_config.h"
#include "libs/service/service_config.h"

namespace candor::helpfulness_ranker {

// What it connects: the vote ledger and the reviews' counts and sort keys in Postgres, the
// ranking cache helpful:{asin} in Redis, and a producer for review-scores (and its dead letters).
inline constexpr service::AdapterSet kAdapters = {
    .redis = true, .postgres = true, .producer = true};

// Every setting of candor-helpfulness-ranker; README.md documents each one. Defaults suit the
// local stack of tools/stack/stack.sh.
struct Config {
  service::ServiceConfig service = {.redis_timeout_ms = 1000};
  service::ConsumerConfig consumer = {
      .group = "helpfulness-ranker",
      .input_topic = std::string(events::kHelpfulVotesTopic) + "," + events::kReviewEventsTopic,
      .max_batch = 5000,
  };
  std::string scores_topic = events::kReviewScoresTopic;
  // Concurrent Postgres transactions a batch is split into, by review (PgVoteLedger); at most
  // the pool's connections.
  int64_t ledger_shards = 2;
  // Reviews kept per product in Redis (the rest is served from Postgres).
  int64_t top_n = 1000;
  // The score's constants (libs/helpfulness; the seed's by default).
  helpfulness::ScoreParams score{};
  // One-shot commands instead of the service (README.md, "Check and repair").
  service::ReconcileConfig reconcile;
  bool ranker_stopped = false;  // what --repair needs to hear: no ranker is running
  std::string asin_prefix{};    // only products whose asin starts with it
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: the scaffold's settings, a scores topic, at most one of
// --check / --repair, --repair only with --ranker-stopped, an --asin-prefix that can begin an
// asin. InvalidArgument naming the flag.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::helpfulness_ranker
