#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/auth/jwt.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"

namespace candor::gateway {

// Every setting of review-gateway; see README.md for each key.
struct Config {
  std::string listen = "127.0.0.1:50051";
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string redis_addr = "127.0.0.1:6390";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string submissions_topic = events::kReviewSubmissionsTopic;
  std::string jwt_secret;  // environment only (CANDOR_JWT_SECRET)
  std::string jwt_issuer = std::string(auth::kDefaultIssuer);
  std::string jwt_audience = std::string(auth::kDefaultAudience);
  int64_t jwt_leeway_s = 30;
  int64_t jwt_max_lifetime_s = 24 * 3600;
  int64_t publish_timeout_ms = 2000;
  int64_t kafka_linger_ms = 5;
  int64_t redis_async_connections = 2;
  int64_t pg_pool = 4;
  int64_t summary_fallback_threads = 4;
  int64_t summary_fallback_queue = 256;
  int64_t max_request_bytes = 64 * 1024;
  int64_t user_daily_limit = 10;
  double prior_weight = 10.0;
  double prior_mean = 3.0;
  int64_t drain_timeout_ms = 5000;
  int64_t drain_grace_ms = 0;
  int64_t stats_interval_s = 10;
  std::string log_level = "info";
  bool bench_noop = false;
};

void RegisterFlags(core::Flags& flags, Config* config);

// Checks what flags alone cannot: the secret is present and long enough (RFC 7518: at least
// 32 bytes), the token issuer and audience are not empty. InvalidArgument naming the setting.
absl::Status Validate(const Config& config);

// The token verifier's settings taken from `config` (which Validate accepted).
auth::VerifierOptions VerifierOptionsOf(const Config& config);

}  // namespace candor::gateway
