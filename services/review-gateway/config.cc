#include "services/review-gateway/config.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/review/ip_address.h"
#include "libs/service/service_config.h"

namespace candor::gateway {
namespace {

// The largest --max-request-bytes the gateway takes: gRPC's default. A review is at most a few
// KiB of text; service::GrpcConfig allows up to 64 MiB for services that need more.
constexpr int64_t kMaxRequestBytesLimit = 4 << 20;
constexpr int64_t kMinRequestBytes = 1024;  // RegisterGrpcFlags' lower bound
constexpr int64_t kAdminPort = 9460;        // the fleet's admin ports run 9460..9464
constexpr int64_t kHttpPort = 8080;         // REST/JSON

}  // namespace

void RegisterFlags(core::Flags& f, Config* c) {
  // --listen, --max-request-bytes, --drain-grace-ms, --drain-timeout-ms, --jwt-*, and the secret.
  service::RegisterGrpcFlags(f, "CANDOR_GATEWAY_", &c->grpc);
  service::RegisterRestFlags(f, "CANDOR_GATEWAY_", &c->rest, kHttpPort);
  f.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
              "Kafka bootstrap servers");
  f.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr, "Redis host:port");
  f.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection URI");
  f.AddString("submissions-topic", "", &c->submissions_topic, "topic submissions are published to");
  f.AddInt("publish-timeout-ms", "", &c->publish_timeout_ms,
           "budget for Kafka's delivery report before answering UNAVAILABLE", 100, 60000);
  f.AddInt("kafka-linger-ms", "", &c->kafka_linger_ms,
           "how long the producer waits to batch submissions into one request", 0, 1000);
  f.AddInt("redis-async-connections", "", &c->redis_async_connections,
           "pipelined Redis connections shared by submits and summary reads (one I/O thread each)",
           1, 64);
  f.AddInt("pg-pool", "", &c->pg_pool, "PostgreSQL connections (summary fallback)", 1, 64);
  f.AddInt("summary-fallback-threads", "", &c->summary_fallback_threads,
           "threads that read Postgres and repair Redis on a summary cache miss (more than "
           "--pg-pool only wait for a connection)",
           1, 64);
  f.AddInt("summary-fallback-queue", "", &c->summary_fallback_queue,
           "cache misses that may wait for a fallback thread; more get UNAVAILABLE", 1, 65536);
  f.AddInt("user-daily-limit", "", &c->user_daily_limit, "reviews per user per sliding 24 h", 1,
           10000);
  f.AddString("votes-topic", "", &c->votes_topic, "topic helpful votes are published to");
  f.AddInt("vote-limit", "CANDOR_GATEWAY_VOTE_LIMIT", &c->vote_limit,
           "helpful votes per user per --vote-window-s (RESOURCE_EXHAUSTED beyond)", 1, 1000000);
  f.AddInt("vote-window-s", "CANDOR_GATEWAY_VOTE_WINDOW_S", &c->vote_window_s,
           "sliding window of --vote-limit, in seconds", 1, 86400 * 7);
  f.AddInt("card-cache-ms", "CANDOR_GATEWAY_CARD_CACHE_MS", &c->card_cache_ms,
           "how long ListReviews serves a review's card (text, stars, votes) from memory before "
           "reading it from PostgreSQL again: counts and a removal show at most this late; 0: "
           "always read",
           0, 60000);
  f.AddInt("card-cache-entries", "", &c->card_cache_entries,
           "review cards kept in memory at most (--card-cache-ms)", 1, 10000000);
  f.AddInt("list-cache-ms", "CANDOR_GATEWAY_LIST_CACHE_MS", &c->list_cache_ms,
           "the oldest a ListReviews page answered from memory may be (a hot page is reloaded "
           "in the background after three quarters of it): a new vote's order, a new review and "
           "a removal from the ranking show at most this much later than in the stores a page is "
           "built from (the ranking, and the cards kept for --card-cache-ms); 0: every call "
           "reads the stores",
           0, 60000);
  f.AddInt("list-cache-pages", "", &c->list_cache_pages,
           "ListReviews pages kept in memory at most (--list-cache-ms), least recently used "
           "dropped first",
           1, 1000000);
  f.AddInt("list-rebuild-ms", "CANDOR_GATEWAY_LIST_REBUILD_MS", &c->list_rebuild_ms,
           "how long a reload may keep a ListReviews page built from the Redis ranking alone "
           "when that ranking reads the same (one Redis read, no Postgres): what the ranking "
           "does not show (the counts of a review whose order a vote leaves as it was, a "
           "removal the ranker has not applied yet) shows at most this late; 0: every reload "
           "builds the page anew",
           0, 600000);
  f.AddString("trusted-proxies", "CANDOR_GATEWAY_TRUSTED_PROXIES", &c->trusted_proxies,
              "comma-separated CIDRs of proxies whose x-forwarded-for names the client "
              "(e.g. 10.0.0.0/8,::1); empty: never trust x-forwarded-for");
  search::RegisterBackendFlags(f, &c->search_backend);
  f.AddString("search-index-dir", "CANDOR_INDEX_DIR", &c->search_index_dir,
              "the Xapian search index index-writer keeps (opened read-only; SearchReviews "
              "answers UNAVAILABLE until it exists; a corrupt one stops startup); with "
              "--search-backend xapian");
  f.AddInt("search-threads", "CANDOR_GATEWAY_SEARCH_THREADS", &c->search_threads,
           "threads that run SearchReviews, each with its own read handle on the index", 1, 64);
  f.AddInt("search-queue", "", &c->search_queue,
           "searches that may wait for a search thread; more get UNAVAILABLE", 1, 65536);
  f.AddDouble("prior-weight", "", &c->prior_weight, "C of the Bayesian display average", 0, 1e6);
  f.AddDouble("prior-mean", "", &c->prior_mean, "m of the Bayesian display average", 1, 5);
  f.AddInt("stats-interval-s", "CANDOR_GATEWAY_STATS_INTERVAL_S", &c->stats_interval_s,
           "seconds between the submit stats log lines (outcomes, Redis and Kafka wait "
           "percentiles); 0 turns them off",
           0, 3600);
  f.AddBool("bench-noop", "CANDOR_GATEWAY_BENCH_NOOP", &c->bench_noop,
            "also serve candor.bench.v1.BenchService/Noop, the benchmarks' reference RPC");
  f.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level, "debug, info, warn or error");
  f.AddString("log-format", "CANDOR_GATEWAY_LOG_FORMAT", &c->log_format,
              "text (one line per event) or json (one object per line)");
  service::RegisterAdminPortFlag(f, "CANDOR_GATEWAY_", kAdminPort, &c->admin_port);
}

absl::Status Validate(const Config& c) {
  if (absl::Status s = core::ValidateLogLevel(c.log_level); !s.ok()) return s;
  if (absl::Status s = core::ValidateLogFormat(c.log_format); !s.ok()) return s;
  // Worded as the flag parser words any other value outside a flag's range: to an operator it
  // is this flag's range.
  if (c.grpc.max_request_bytes > kMaxRequestBytesLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-request-bytes: ", c.grpc.max_request_bytes, " is outside [",
                     kMinRequestBytes, ", ", kMaxRequestBytesLimit, "]"));
  }
  if (absl::Status s = search::ValidateBackendConfig(c.search_backend); !s.ok()) return s;
  if (c.search_index_dir.empty()) {
    return absl::InvalidArgumentError("--search-index-dir: required");
  }
  if (absl::StatusOr<std::vector<review::Cidr>> proxies = review::ParseCidrList(c.trusted_proxies);
      !proxies.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--trusted-proxies: ", proxies.status().message()));
  }
  if (absl::Status s = service::ValidateRestConfig(c.rest); !s.ok()) return s;
  return service::ValidateGrpcConfig(c.grpc);
}

}  // namespace candor::gateway
