#include "services/review-gateway/app.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/service/service_app.h"
#include "openapi/ReviewGatewayOpenApi.h"

namespace candor::gateway {

absl::StatusOr<std::unique_ptr<App>> App::Create(const Config& config) {
  if (absl::Status s = Validate(config); !s.ok()) return s;
  std::unique_ptr<App> app(new App(config));
  // The admin server first: alive (and not ready) while the stores connect.
  App* self = app.get();
  auto admin = service::StartAdminServer(config.admin_port,
                                         {.metrics = [self] { return self->metrics_.Exposition(); },
                                          .ready = [self] { return self->Readiness(); }});
  if (!admin.ok()) return admin.status();
  app->admin_ = std::move(*admin);

  // One pipelined client serves both paths (chosen by reasoning; not yet benchmarked against a
  // second client): a summary's HGETALL rides the same batches as the submits' guard scripts.
  // Redis runs every command on one thread anyway, so connections of their own would not make it
  // answer sooner; they would add I/O threads competing for the same few cores and split the
  // queue into smaller batches, i.e. more syscalls per request. The blocking pool the summaries
  // used before is gone: nothing in the gateway waits on Redis any more. Should summaries ever
  // need isolating from submits, a second AsyncClient here is the whole change.
  auto redis_async = redis::AsyncClient::Connect(
      config.redis_addr, {.connections = static_cast<int>(config.redis_async_connections),
                          .timeout = absl::Seconds(2),
                          .metrics = &app->metrics_});
  if (!redis_async.ok()) return redis_async.status();
  app->redis_async_ = std::move(*redis_async);
  auto pg = pg::Pool::Create(config.pg_dsn, static_cast<int>(config.pg_pool));
  if (!pg.ok()) return pg.status();
  app->pg_ = std::move(*pg);
  app->pg_->SetMetrics(app->metrics_);
  // linger.ms trades a few ms of submit latency for far fewer broker wake-ups per review
  // (librdkafka's broker thread was half the gateway's CPU at linger.ms=1).
  auto producer = kafka::Producer::Create({config.kafka_brokers,
                                           "review-gateway",
                                           {{"linger.ms", std::to_string(config.kafka_linger_ms)}}},
                                          absl::Milliseconds(config.publish_timeout_ms));
  if (!producer.ok()) return producer.status();
  app->producer_ = std::move(*producer);

  GuardPolicy policy;
  policy.user_limit = config.user_daily_limit;
  app->guard_ = std::make_unique<RedisSubmissionGuard>(*app->redis_async_, policy);
  app->log_ = std::make_unique<KafkaSubmissionLog>(*app->producer_, config.submissions_topic);
  app->cache_ = std::make_unique<ratings::AsyncRedisRatingCache>(*app->redis_async_);
  app->store_ = std::make_unique<ratings::PgRatingStore>(*app->pg_);
  // Postgres (libpqxx) blocks, so cache misses are read on these few threads, never on a gRPC
  // callback thread or the Redis I/O thread (that would stall every pipelined request). The
  // queue is bounded so an outage of the cache, or a flood of misses, turns into fast
  // UNAVAILABLE answers instead of an unbounded backlog and ever-growing latency.
  app->summary_fallback_ =
      std::make_unique<BoundedExecutor>(static_cast<int>(config.summary_fallback_threads),
                                        static_cast<size_t>(config.summary_fallback_queue));
  app->intake_ = std::make_unique<ReviewIntake>(*app->guard_, *app->log_, app->clock_);
  if (config.stats_interval_s > 0) {
    // Quiet while no submissions arrive; otherwise one line per interval.
    app->stats_reporter_ = std::make_unique<core::PeriodicReporter>(
        absl::Seconds(config.stats_interval_s), [intake = app->intake_.get()](absl::Duration dt) {
          SubmitStats::Window w = intake->stats().Take();
          if (w.calls() > 0) spdlog::info("submits: {}", SubmitStats::Describe(w, dt));
          SubmitStats::Window imports = intake->import_stats().Take();
          if (imports.calls() > 0) {
            spdlog::info("imports: {}", SubmitStats::Describe(imports, dt));
          }
        });
  }
  app->summaries_ =
      std::make_unique<SummaryReader>(*app->cache_, *app->store_, *app->summary_fallback_);
  app->decisions_ = std::make_unique<PgReviewDecisions>(*app->pg_);
  // Status reads share the fallback pool: both are short Postgres reads that must stay off the
  // gRPC and Redis threads, and one bounded pool keeps what the gateway asks of Postgres bounded.
  app->statuses_ = std::make_unique<ReviewStatusReader>(*app->decisions_, *app->guard_,
                                                        *app->summary_fallback_, app->clock_);
  // Votes and pages share the pool too: each is one short Postgres read.
  app->vote_limiter_ = std::make_unique<RedisVoteLimiter>(*app->redis_async_, config.vote_limit,
                                                          absl::Seconds(config.vote_window_s));
  app->ranking_ = std::make_unique<RedisRankingReader>(*app->redis_async_);
  app->vote_log_ = std::make_unique<KafkaVoteLog>(*app->producer_, config.votes_topic);
  app->reads_ = std::make_unique<PgReviewReads>(*app->pg_);
  app->votes_ = std::make_unique<VoteIntake>(*app->vote_limiter_, *app->reads_,
                                             *app->summary_fallback_, *app->vote_log_, app->clock_);
  // A hot product's page shows the same cards on every call: they are read from Postgres once
  // per --card-cache-ms, not once per call (votes always check the store).
  ReviewReads* list_reads = app->reads_.get();
  if (config.card_cache_ms > 0) {
    app->cards_ = std::make_unique<CachedReviewReads>(
        *app->reads_, app->clock_, absl::Milliseconds(config.card_cache_ms),
        static_cast<size_t>(config.card_cache_entries));
    list_reads = app->cards_.get();
  }
  // And a hot page is reloaded once per 3/4 --list-cache-ms, not once per call (most calls are
  // answered from memory on the gRPC thread), and built from Postgres once per
  // --list-rebuild-ms while its ranking stands still.
  if (config.list_cache_ms > 0) {
    app->pages_ = std::make_unique<ListPageCache>(
        app->clock_, absl::Milliseconds(config.list_cache_ms),
        static_cast<size_t>(config.list_cache_pages), absl::Milliseconds(config.list_rebuild_ms));
  }
  if (app->pages_ != nullptr) {
    const ListPageCache* pages = app->pages_.get();
    const auto count = [&](const char* result, int64_t ListPageCache::Counts::*field) {
      app->metrics_.AddCounterCallback(
          "candor_gateway_list_pages_total",
          "ListReviews pages by how they were answered (ListPageCache): hit from memory, load "
          "for a waiting caller, joined another caller's load, refresh in the background, "
          "error of a load, kept by a load (its ranking unchanged)",
          {{"result", result}},
          [pages, field] { return static_cast<double>(pages->counts().*field); });
    };
    count("hit", &ListPageCache::Counts::hits);
    count("load", &ListPageCache::Counts::loads);
    count("joined", &ListPageCache::Counts::joined);
    count("refresh", &ListPageCache::Counts::refreshes);
    count("error", &ListPageCache::Counts::load_errors);
    count("kept", &ListPageCache::Counts::kept);
    app->metrics_.AddGaugeCallback("candor_gateway_list_pages_cached",
                                   "ListReviews pages held in memory (--list-cache-pages)", {},
                                   [pages] { return static_cast<double>(pages->size()); });
  }
  if (app->cards_ != nullptr) {
    const CachedReviewReads* cards = app->cards_.get();
    app->metrics_.AddCounterCallback(
        "candor_gateway_list_cards_total",
        "review cards ListReviews read, from memory (hit) or Postgres (miss)", {{"result", "hit"}},
        [cards] { return static_cast<double>(cards->counts().hits); });
    app->metrics_.AddCounterCallback(
        "candor_gateway_list_cards_total",
        "review cards ListReviews read, from memory (hit) or Postgres (miss)", {{"result", "miss"}},
        [cards] { return static_cast<double>(cards->counts().misses); });
  }
  app->lister_ = std::make_unique<ReviewLister>(*app->ranking_, *list_reads,
                                                *app->summary_fallback_, app->pages_.get());
  // Searches read the disk and take milliseconds of CPU: they get threads of their own, so a
  // burst of searches never queues behind (or ahead of) the short Postgres reads above, and one
  // read handle (Xapian) or connection (Elasticsearch) per thread, so they run side by side. A
  // corrupt index or an unreachable cluster stops the start here (DATA_LOSS naming the rebuild
  // command, UNAVAILABLE naming the URL); a missing index only makes searches UNAVAILABLE until
  // index-writer creates it.
  auto search_index = search::OpenIndexForSearching(config.search_backend, config.search_index_dir,
                                                    static_cast<int>(config.search_threads));
  if (!search_index.ok()) return search_index.status();
  app->search_index_ = std::move(*search_index);
  app->search_pool_ = std::make_unique<BoundedExecutor>(static_cast<int>(config.search_threads),
                                                        static_cast<size_t>(config.search_queue));
  app->searcher_ =
      std::make_unique<ReviewSearcher>(*app->search_index_, *app->search_pool_, app->clock_);
  // Validate() parsed the list already.
  app->addresses_ =
      std::make_unique<ClientAddressResolver>(*review::ParseCidrList(config.trusted_proxies));
  absl::StatusOr<auth::Verifier> verifier =
      auth::Verifier::Create(service::VerifierOptionsOf(config.grpc));
  if (!verifier.ok()) return verifier.status();
  app->service_ = std::make_unique<ReviewGrpcService>(
      *app->intake_, *app->summaries_, *app->statuses_, *app->votes_, *app->lister_,
      *app->searcher_, *app->addresses_, *verifier,
      review::DisplayPrior{config.prior_weight, config.prior_mean}, app->clock_,
      app->call_metrics_);

  // Named after the service, so that Start logs "review-gateway listening on <listen> (port n)".
  auto grpc = std::make_unique<service::GrpcComponent>(service::ServerOptionsOf(config.grpc),
                                                       "review-gateway");
  rpc::ServiceHost& host = grpc->host();
  host.AddService(app->service_.get(), app->service_->gate());
  if (config.bench_noop) {
    app->bench_ = std::make_unique<BenchGrpcService>(*verifier, app->clock_, app->call_metrics_);
    host.AddService(app->bench_.get(), app->bench_->gate());
  }
  // A fatal producer error (e.g. the idempotent producer lost its sequence state) fails every
  // later submit: stop advertising SERVING so load balancers and orchestrators move traffic away
  // and restart this instance, instead of it answering UNAVAILABLE forever while healthy.
  host.AddHealthSource("submits cannot be published",
                       [producer = app->producer_.get()] { return producer->Health(); });
  if (absl::Status s = grpc->Start(); !s.ok()) return s;
  app->grpc_ = std::move(grpc);
  if (config.rest.port >= 0) {
    // REST/JSON: the routes come from ReviewService's google.api.http options; every request is
    // a call on the server above (same gate, metrics and limits), so nothing here knows a route.
    rest::ServerOptions options = service::RestOptionsOf(config.rest, config.grpc);
    options.openapi_json = std::string(openapi::ReviewGatewayOpenApi());
    auto rest = std::make_unique<service::RestComponent>(
        std::move(options), *app->grpc_,
        std::vector<std::string>{std::string(review::v1::ReviewService::service_full_name())},
        app->metrics_);
    if (absl::Status s = rest->Start(); !s.ok()) return s;
    app->rest_ = std::move(rest);
  }
  app->phase_ = 1;
  return app;
}

App::~App() { Shutdown(); }

absl::Status App::Readiness() const {
  switch (phase_.load()) {
    case 0:
      return absl::UnavailableError("starting: connecting Redis, Postgres and Kafka");
    case 2:
      return absl::UnavailableError("draining: shutting down");
    default:
      break;
  }
  // The same condition as the gRPC health source: a fatal producer error fails every submit.
  if (absl::Status s = producer_->Health(); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("submits cannot be published: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status App::Run(const std::function<bool()>& stop) {
  while (!stop()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Shutdown();
  return absl::OkStatus();
}

void App::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  phase_ = 2;
  // Create() may have failed before the server existed: then there is nothing to drain.
  if (grpc_ == nullptr) {
    admin_.reset();
    return;
  }
  spdlog::info("shutting down: draining in-flight calls");
  // 1. Tell load balancers to go elsewhere (health NOT_SERVING, --drain-grace-ms of serving
  //    on, over gRPC and REST alike), then stop accepting calls and let in-flight ones finish:
  //    their answers wait on Kafka delivery reports, so the producer must still run. REST
  //    first: its requests are calls on the gRPC server, which must still take them.
  if (rest_ != nullptr) rest_->PrepareStop();
  grpc_->PrepareStop();
  if (rest_ != nullptr) rest_->Stop();
  grpc_->Stop();
  // 2. Flush whatever the producer still holds (nothing acknowledged is left behind: OK answers
  //    were only sent after delivery reports).
  if (absl::Status s = producer_->Flush(absl::Seconds(5)); !s.ok()) {
    spdlog::warn("producer flush: {}", s);
  }
  // 3. The summary fallback threads have nothing left to do (every call was answered); they are
  //    joined, then the stores close, as members are destroyed after everything that uses them.
  // 4. The admin server last: /readyz said "draining" throughout, and nothing it reads is gone.
  admin_.reset();
  spdlog::info("shutdown complete");
}

}  // namespace candor::gateway
