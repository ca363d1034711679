#pragma once

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/core/periodic_reporter.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/grpc_call_metrics.h"
#include "libs/metrics/prometheus_registry.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/async_redis_rating_cache.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/redis/async_client.h"
#include "libs/search/search_index.h"
#include "libs/service/grpc_component.h"
#include "libs/service/rest_component.h"
#include "services/review-gateway/bounded_executor.h"
#include "services/review-gateway/cached_review_reads.h"
#include "services/review-gateway/client_address.h"
#include "services/review-gateway/config.h"
#include "services/review-gateway/grpc_service.h"
#include "services/review-gateway/kafka_log.h"
#include "services/review-gateway/list_page_cache.h"
#include "services/review-gateway/pg_review_decisions.h"
#include "services/review-gateway/pg_review_reads.h"
#include "services/review-gateway/redis_helpful.h"
#include "services/review-gateway/redis_submission_guard.h"
#include "services/review-gateway/review_intake.h"
#include "services/review-gateway/review_lister.h"
#include "services/review-gateway/review_searcher.h"
#include "services/review-gateway/review_status_reader.h"
#include "services/review-gateway/summary_reader.h"
#include "services/review-gateway/vote_intake.h"

namespace candor::gateway {

// review-gateway's composition root, used by main() and by the integration tests alike.
// Create() connects every dependency (failing fast when one is unreachable) and starts serving;
// Run() blocks until `stop` turns true and then shuts down in order.
class App {
 public:
  static absl::StatusOr<std::unique_ptr<App>> Create(const Config& config);
  ~App();

  // The bound port (useful when listening on port 0).
  int port() const { return grpc_->port(); }
  // The REST/JSON port (0 with --http-port -1: no REST front).
  int http_port() const { return rest_ == nullptr ? 0 : rest_->port(); }
  // The admin server's port (/metrics, /healthz, /readyz).
  int admin_port() const { return admin_->port(); }

  absl::Status Run(const std::function<bool()>& stop);

  // Idempotent; see app.cc for the order.
  void Shutdown();

  // The Kafka producer, for tests that make it fail.
  kafka::Producer& producer_for_testing() { return *producer_; }

 private:
  explicit App(const Config& config) : config_(config) {}

  absl::Status Readiness() const;

  Config config_;
  core::SystemClock clock_;
  // Declared in dependency order: members are destroyed bottom-up, server first. The metrics
  // and the admin server outlive everything they count (the admin server is stopped first, in
  // Shutdown).
  metrics::PrometheusRegistry metrics_;
  metrics::GrpcCallMetrics call_metrics_{metrics_};
  std::atomic<int> phase_{0};  // 0 starting, 1 serving, 2 draining
  std::unique_ptr<metrics::AdminServer> admin_;
  std::unique_ptr<redis::AsyncClient> redis_async_;  // submit guard and summary reads, shared
  std::unique_ptr<pg::Pool> pg_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<RedisSubmissionGuard> guard_;
  std::unique_ptr<KafkaSubmissionLog> log_;
  std::unique_ptr<ratings::AsyncRedisRatingCache> cache_;
  std::unique_ptr<ratings::PgRatingStore> store_;
  std::unique_ptr<PgReviewDecisions> decisions_;
  // Summary misses and review status reads read Postgres here. Destroyed (queued tasks drained,
  // threads joined) before the stores its tasks use, and after the server, so every accepted
  // task still answers.
  std::unique_ptr<BoundedExecutor> summary_fallback_;
  std::unique_ptr<ReviewIntake> intake_;
  std::unique_ptr<core::PeriodicReporter> stats_reporter_;  // reads intake_'s stats
  std::unique_ptr<SummaryReader> summaries_;
  std::unique_ptr<ReviewStatusReader> statuses_;
  std::unique_ptr<RedisVoteLimiter> vote_limiter_;
  std::unique_ptr<RedisRankingReader> ranking_;
  std::unique_ptr<KafkaVoteLog> vote_log_;
  std::unique_ptr<PgReviewReads> reads_;
  std::unique_ptr<CachedReviewReads> cards_;  // null with --card-cache-ms 0
  std::unique_ptr<ListPageCache> pages_;      // null with --list-cache-ms 0
  std::unique_ptr<VoteIntake> votes_;
  std::unique_ptr<ReviewLister> lister_;
  // SearchReviews: the index's read handles, then the threads that use them (joined first).
  std::unique_ptr<search::SearchIndex> search_index_;
  std::unique_ptr<BoundedExecutor> search_pool_;
  std::unique_ptr<ReviewSearcher> searcher_;
  std::unique_ptr<ClientAddressResolver> addresses_;
  std::unique_ptr<ReviewGrpcService> service_;
  std::unique_ptr<BenchGrpcService> bench_;  // only with --bench-noop
  // The server (an rpc::ServiceHost) serving the two services above; destroyed (drained) before
  // them. Its health follows the producer (a fatal producer error turns it NOT_SERVING).
  std::unique_ptr<service::GrpcComponent> grpc_;
  // The REST/JSON front, calling through grpc_'s in-process channel; stopped before it.
  std::unique_ptr<service::RestComponent> rest_;
  bool shut_down_ = false;
};

}  // namespace candor::gateway
