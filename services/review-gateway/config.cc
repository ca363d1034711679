#include "services/review-gateway/config.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::gateway {

void RegisterFlags(core::Flags& f, Config* c) {
  f.AddString("listen", "CANDOR_GATEWAY_LISTEN", &c->listen, "gRPC listen address host:port");
  f.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
              "Kafka bootstrap servers");
  f.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr, "Redis host:port");
  f.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection URI");
  f.AddString("submissions-topic", "", &c->submissions_topic, "topic submissions are published to");
  f.AddString("jwt-issuer", "CANDOR_JWT_ISSUER", &c->jwt_issuer,
              "the `iss` every token must carry (exact match)");
  f.AddString("jwt-audience", "CANDOR_JWT_AUDIENCE", &c->jwt_audience,
              "the audience every token's `aud` (a string or an array) must include");
  f.AddInt("jwt-leeway-s", "", &c->jwt_leeway_s,
           "clock skew allowed on a token's exp, nbf and iat, in seconds", 0, 300);
  f.AddInt("jwt-max-lifetime-s", "", &c->jwt_max_lifetime_s,
           "longest token lifetime accepted (exp - iat, or exp - now without iat), in seconds", 60,
           30 * 24 * 3600);
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
  f.AddInt("max-request-bytes", "", &c->max_request_bytes,
           "largest request accepted; larger ones get RESOURCE_EXHAUSTED", 1024, 4 << 20);
  f.AddInt("user-daily-limit", "", &c->user_daily_limit, "reviews per user per sliding 24 h", 1,
           10000);
  f.AddDouble("prior-weight", "", &c->prior_weight, "C of the Bayesian display average", 0, 1e6);
  f.AddDouble("prior-mean", "", &c->prior_mean, "m of the Bayesian display average", 1, 5);
  f.AddInt("drain-timeout-ms", "", &c->drain_timeout_ms,
           "on SIGTERM, how long in-flight calls may take to finish", 0, 600000);
  f.AddInt("drain-grace-ms", "", &c->drain_grace_ms,
           "on SIGTERM, how long to keep serving new calls after health turns NOT_SERVING (so "
           "load balancers move away first)",
           0, 600000);
  f.AddInt("stats-interval-s", "CANDOR_GATEWAY_STATS_INTERVAL_S", &c->stats_interval_s,
           "seconds between the submit stats log lines (outcomes, Redis and Kafka wait "
           "percentiles); 0 turns them off",
           0, 3600);
  f.AddBool("bench-noop", "CANDOR_GATEWAY_BENCH_NOOP", &c->bench_noop,
            "also serve candor.bench.v1.BenchService/Noop, the benchmarks' reference RPC");
  f.AddString("log-level", "CANDOR_LOG_LEVEL", &c->log_level, "debug, info, warn or error");
}

absl::Status Validate(const Config& c) {
  if (absl::Status s = core::ValidateLogLevel(c.log_level); !s.ok()) return s;
  if (c.jwt_secret.size() < auth::kMinSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "$CANDOR_JWT_SECRET must be set to the HS256 secret, at least ", auth::kMinSecretBytes,
        " bytes (RFC 7518 section 3.2; e.g. `openssl rand "
        "-hex 32`), got ",
        c.jwt_secret.size()));
  }
  if (c.jwt_issuer.empty()) return absl::InvalidArgumentError("--jwt-issuer must not be empty");
  if (c.jwt_audience.empty()) {
    return absl::InvalidArgumentError("--jwt-audience must not be empty");
  }
  // The flags' ranges are the verifier's own; this catches a Config built in code.
  return VerifierOptionsOf(c).Check();
}

auth::VerifierOptions VerifierOptionsOf(const Config& c) {
  return {.secret = c.jwt_secret,
          .issuer = c.jwt_issuer,
          .audience = c.jwt_audience,
          .leeway = absl::Seconds(c.jwt_leeway_s),
          .max_lifetime = absl::Seconds(c.jwt_max_lifetime_s)};
}

}  // namespace candor::gateway
