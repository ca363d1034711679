#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/reviewdb/review_rows.h"
#include "services/fraud-scorer/config.h"

namespace candor::fraud_scorer::rescore {

// Every setting of candor-fraud-rescore; README.md documents each one. The model's settings are the
// service's ModelSettings (same flags, same environment variables, same defaults), so a re-score
// routes as the scorer does; the connections read the fleet-wide CANDOR_PG_DSN, CANDOR_REDIS_ADDR
// and CANDOR_KAFKA_BROKERS.
struct Config {
  // What to re-score: --unscored and/or a submitted_at range, optionally one product.
  bool unscored = false;
  std::string from;  // RFC 3339 time or YYYY-MM-DD (UTC midnight); "" for no lower bound
  std::string to;    // the same, exclusive; "" for no upper bound
  std::string asin;
  bool apply = false;  // false: shadow mode

  ModelSettings model;

  int64_t batch = fraud_scorer::kDefaultMaxBatch;
  int64_t examples = 3;
  int64_t progress_interval_s = 5;

  std::string pg_dsn = service::ServiceConfig{}.pg_dsn;
  std::string redis_addr = service::ServiceConfig{}.redis_addr;
  int64_t redis_timeout_ms = 1000;
  std::string kafka_brokers = service::ServiceConfig{}.kafka_brokers;
  std::string output_topic = events::kReviewEventsTopic;
  int64_t publish_timeout_ms = 10000;
  int64_t startup_timeout_ms = 5000;
};

// Registers every field of `config` (which must outlive the parse) with `flags`.
void RegisterFlags(core::Flags& flags, Config* config);

// The selection `config` names: --unscored and/or --from / --to (at least one of the three),
// --asin. InvalidArgument naming the flag for a time that does not parse, --from not before --to,
// a malformed asin, or no selection at all (a re-score of every review is never a default).
absl::StatusOr<reviewdb::RescoreSelection> SelectionOf(const Config& config);

// Checks what single-flag ranges cannot: the selection, the thresholds' order, non-empty
// addresses and names. InvalidArgument naming the flag.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::fraud_scorer::rescore
