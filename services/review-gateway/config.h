#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/search/search_backend.h"
#include "libs/service/grpc_config.h"
#include "libs/service/rest_component.h"

namespace candor::gateway {

// Every setting of review-gateway; see README.md for each key.
struct Config {
  // The server and the token settings: --listen, --max-request-bytes, --drain-*, --jwt-*, and
  // the secret from $CANDOR_JWT_SECRET (service::RegisterGrpcFlags).
  service::GrpcConfig grpc = {.listen = "127.0.0.1:50051", .max_request_bytes = 64 * 1024};
  // The REST/JSON front: --http-port (8080 from the flag; -1, off, in a Config built by hand),
  // --http-threads, --http-deadline-ms, --http-idle-timeout-s, --cors-origins.
  service::RestConfig rest;
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string redis_addr = "127.0.0.1:6390";
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string submissions_topic = events::kReviewSubmissionsTopic;
  int64_t publish_timeout_ms = 2000;
  int64_t kafka_linger_ms = 5;
  int64_t redis_async_connections = 2;
  int64_t pg_pool = 4;
  int64_t summary_fallback_threads = 4;
  int64_t summary_fallback_queue = 256;
  int64_t user_daily_limit = 10;
  std::string votes_topic = events::kHelpfulVotesTopic;
  // VoteHelpful's flood limit: votes per user per sliding window.
  int64_t vote_limit = 100;
  int64_t vote_window_s = 3600;
  // ListReviews' review cards kept in memory (CachedReviewReads): how long (0: off) and how many.
  int64_t card_cache_ms = 1000;
  int64_t card_cache_entries = 200000;
  // Whole ListReviews pages kept in memory (ListPageCache): their age at most (0: off), how
  // many, and how long a reload may keep a page whose ranking has not moved (0: never).
  int64_t list_cache_ms = 1000;
  int64_t list_cache_pages = 4096;
  int64_t list_rebuild_ms = 5000;
  // CIDR list of the proxies whose x-forwarded-for is believed ("" = none: the peer is the
  // client). See README.md, "The client's address".
  std::string trusted_proxies;
  // SearchReviews: the index index-writer keeps (read-only here: Xapian in search_index_dir, or
  // Elasticsearch, per search_backend), the threads that search it (each with a read handle or
  // a kept-alive connection of its own) and the searches that may wait for one.
  search::BackendConfig search_backend;
  std::string search_index_dir = ".stack/search-index";
  int64_t search_threads = 2;
  int64_t search_queue = 256;
  double prior_weight = 10.0;
  double prior_mean = 3.0;
  int64_t stats_interval_s = 10;
  std::string log_level = "info";
  std::string log_format = "text";  // text or json (core::InitLogging)
  // The admin HTTP port (/metrics, /healthz, /readyz); 0 picks a free one. The flag's default is
  // 9460 (RegisterFlags); this field's 0 serves tests that build a Config by hand.
  int64_t admin_port = 0;
  bool bench_noop = false;
};

// Registers every field of `config` (which must outlive the parse) with `flags`, the gRPC
// server's and the tokens' first (service::RegisterGrpcFlags, environment prefix
// CANDOR_GATEWAY_), and takes the secret from $CANDOR_JWT_SECRET when it is set.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what flags alone cannot: a known log level, service::ValidateGrpcConfig (a listen
// address; the secret present and long enough, RFC 7518: at least 32 bytes; the token issuer and
// audience not empty), --max-request-bytes at most 4 MiB (the gateway's range is narrower
// than service::GrpcConfig's), --trusted-proxies a CIDR list and the search backend's settings
// (search::ValidateBackendConfig). InvalidArgument naming the
// setting.
absl::Status Validate(const Config& config);

}  // namespace candor::gateway
