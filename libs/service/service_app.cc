#include "libs/service/service_app.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/log.h"
#include "libs/core/periodic_reporter.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/prometheus_registry.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"

namespace candor::service {

// A consume loop as it runs: its declaration, its Kafka consumer, its counters.
struct ServiceApp::Loop {
  ConsumerLoop spec;
  std::vector<std::string> topics;
  std::unique_ptr<kafka::Consumer> consumer;
  kafka::BatchLoopStats stats;
  int64_t last_messages = 0;  // for events/s; touched by the reporter thread only

  // "stats: " for a service's only loop, "stats votes: " for a named one.
  std::string Label(const char* what) const {
    return spec.name.empty() ? fmt::format("{}:", what) : fmt::format("{} {}:", what, spec.name);
  }
};

ServiceApp::ServiceApp() = default;

ServiceApp::~ServiceApp() {
  // Before the domain and the loops: a scrape reads their counters.
  admin_.reset();
}

int ServiceApp::admin_port() const { return admin_->port(); }

absl::Status ServiceApp::Readiness() const {
  switch (phase_.load()) {
    case Phase::kStarting:
      return absl::UnavailableError("starting: connecting the stores and Kafka, starting up");
    case Phase::kDraining:
      return absl::UnavailableError("draining: shutting down");
    case Phase::kRunning:
      break;
  }
  // Set before the phase turned kRunning, never changed after.
  if (producer_ != nullptr) {
    if (absl::Status s = producer_->Health(); !s.ok()) {
      return absl::UnavailableError(absl::StrCat("kafka producer failed: ", s.message()));
    }
  }
  return absl::OkStatus();
}

// The loop's counters (kafka::BatchLoopStats), read at each scrape.
void ServiceApp::ExposeLoopStats(const Loop& loop) {
  const metrics::Labels group{{"group", loop.spec.config.group}};
  const kafka::BatchLoopStats* l = &loop.stats;
  auto counter = [&](const char* name, const char* help, const std::atomic<int64_t>* value,
                     metrics::Labels labels) {
    metrics_->AddCounterCallback(name, help, labels,
                                 [value] { return static_cast<double>(value->load()); });
  };
  counter("candor_kafka_consumer_messages_total", "Messages consumed and committed", &l->messages,
          group);
  counter("candor_kafka_consumer_batches_total", "Batches consumed and committed", &l->batches,
          group);
  metrics::Labels poison = group;
  poison["reason"] = "poison";
  metrics::Labels failed = group;
  failed["reason"] = "failed";
  counter("candor_kafka_consumer_dead_letters_total",
          "Messages sent to <topic>.dlq: poison (cannot decode, invalid) or failed (failed "
          "--max-apply-attempts times alone)",
          &l->poisoned, poison);
  counter("candor_kafka_consumer_dead_letters_total", "", &l->dead_lettered, failed);
  counter("candor_kafka_consumer_retries_total", "Failed batch or message attempts, retried",
          &l->retries, group);
  counter("candor_kafka_consumer_splits_total", "Batches halved to isolate a deterministic failure",
          &l->splits, group);
}

absl::StatusOr<std::unique_ptr<metrics::AdminServer>> StartAdminServer(
    int64_t port, metrics::AdminHandlers handlers) {
  auto admin = metrics::AdminServer::Start("0.0.0.0", static_cast<int>(port), std::move(handlers));
  if (!admin.ok()) return admin.status();
  spdlog::info("admin listening on 0.0.0.0:{} (port {}): /metrics /healthz /readyz", port,
               (*admin)->port());
  return admin;
}

absl::StatusOr<std::unique_ptr<ServiceApp>> ServiceApp::Create(const ServiceConfig& config,
                                                               const ServiceAppOptions& options,
                                                               const DomainFactory& make_domain) {
  std::unique_ptr<ServiceApp> app(new ServiceApp());
  app->config_ = config;
  const AdapterSet& uses = options.adapters;

  // The admin server first (StartAdminServer says why).
  app->metrics_ = std::make_unique<metrics::PrometheusRegistry>();
  ServiceApp* self = app.get();
  auto admin = StartAdminServer(config.admin_port,
                                {.metrics = [self] { return self->metrics_->Exposition(); },
                                 .ready = [self] { return self->Readiness(); }});
  if (!admin.ok()) return admin.status();
  app->admin_ = *std::move(admin);

  if (uses.redis) {
    auto redis = redis::Client::Connect(config.redis_addr, static_cast<int>(config.redis_pool_size),
                                        absl::Milliseconds(config.redis_timeout_ms));
    if (!redis.ok()) return redis.status();
    app->redis_ = *std::move(redis);
    app->redis_->SetMetrics(*app->metrics_);
  }
  if (uses.postgres) {
    auto pg = pg::Pool::Create(config.pg_dsn, static_cast<int>(config.pg_pool_size));
    if (!pg.ok()) return pg.status();
    app->pg_ = *std::move(pg);
    app->pg_->SetMetrics(*app->metrics_);
  }

  const kafka::ClientOptions kafka_options{config.kafka_brokers, options.client_id, {}};
  // Kafka is reached only when something uses it, and then checked once, before the first
  // client: librdkafka would otherwise retry an unreachable broker quietly for ever.
  auto connect_kafka = [&]() -> absl::Status {
    if (app->producer_ != nullptr) return absl::OkStatus();
    if (absl::Status s =
            kafka::CheckBrokers(kafka_options, absl::Milliseconds(config.startup_timeout_ms));
        !s.ok()) {
      return s;
    }
    auto producer = kafka::Producer::Create(kafka_options, options.delivery_timeout);
    if (!producer.ok()) return producer.status();
    app->producer_ = *std::move(producer);
    return absl::OkStatus();
  };
  if (uses.producer) {
    if (absl::Status s = connect_kafka(); !s.ok()) return s;
  }

  app->domain_ = make_domain({app->redis_.get(), app->pg_.get(),
                              uses.producer ? app->producer_.get() : nullptr, app->metrics_.get()});
  std::vector<ConsumerLoop> loops = app->domain_->consumers();
  app->components_ = app->domain_->components();
  for (ConsumerLoop& spec : loops) {
    if (spec.handler == nullptr) {
      return absl::InvalidArgumentError(fmt::format("consume loop '{}' has no handler", spec.name));
    }
    if (absl::Status s = ValidateConsumerConfig(spec.config, spec.name); !s.ok()) return s;
    // A loop sends its dead letters through the producer, lent to the domain or not.
    if (absl::Status s = connect_kafka(); !s.ok()) return s;
    auto loop = std::make_unique<Loop>();
    loop->topics = InputTopics(spec.config);
    auto consumer = kafka::Consumer::Create(kafka_options, spec.config.group, loop->topics);
    if (!consumer.ok()) return consumer.status();
    loop->consumer = *std::move(consumer);
    loop->spec = std::move(spec);
    app->ExposeLoopStats(*loop);
    app->loops_.push_back(std::move(loop));
  }
  return app;
}

void ServiceApp::ReportStats(absl::Duration elapsed) {
  for (const std::unique_ptr<Loop>& loop : loops_) {
    const kafka::BatchLoopStats& l = loop->stats;
    const int64_t messages = l.messages.load();
    const double rate =
        static_cast<double>(messages - loop->last_messages) / absl::ToDoubleSeconds(elapsed);
    loop->last_messages = messages;
    spdlog::info(
        "{} batches={} messages={} poisoned={} dead_lettered={} retries={} splits={} "
        "events/s={:.0f} | {}",
        loop->Label("stats"), l.batches.load(), messages, l.poisoned.load(), l.dead_lettered.load(),
        l.retries.load(), l.splits.load(), rate,
        loop->spec.stats ? loop->spec.stats() : std::string());
  }
  for (const Component* component : components_) {
    if (std::string line = component->StatsLine(); !line.empty()) {
      spdlog::info("stats {}: {}", component->name(), line);
    }
  }
}

absl::Status ServiceApp::Run(const std::function<bool()>& stop) {
  // Components first: a loop's handler may hand work to one (a server answering from what the
  // loop writes), and a component that cannot start fails the service before it consumes.
  size_t started = 0;
  absl::Status status;
  // Tells the started components, last started first, that shutdown has begun; once.
  bool prepared = false;
  auto prepare_stop = [&] {
    if (prepared) return;
    prepared = true;
    for (size_t i = started; i > 0; --i) components_[i - 1]->PrepareStop();
  };
  for (; started < components_.size(); ++started) {
    status = components_[started]->Start();
    if (!status.ok()) {
      spdlog::error("component {} failed to start: {}", components_[started]->name(), status);
      break;
    }
  }

  if (status.ok()) {
    std::mutex mu;
    std::condition_variable ended;
    bool failed = false;  // a loop returned an error: the others stop too
    auto halt = [&] {
      if (stop()) return true;
      std::lock_guard lock(mu);
      return failed;
    };
    core::PeriodicReporter reporter(absl::Seconds(config_.stats_interval_s),
                                    [this](absl::Duration dt) { ReportStats(dt); });
    std::vector<std::thread> threads;
    threads.reserve(loops_.size());
    for (const std::unique_ptr<Loop>& l : loops_) {
      Loop* loop = l.get();
      spdlog::info("consuming {} as group {}{}", absl::StrJoin(loop->topics, ","),
                   loop->spec.config.group, loop->spec.startup_details);
      kafka::BatchLoopOptions options;
      options.max_batch = static_cast<size_t>(loop->spec.config.max_batch);
      options.linger = absl::Milliseconds(loop->spec.config.batch_linger_ms);
      options.max_apply_attempts = static_cast<int>(loop->spec.config.max_apply_attempts);
      options.metrics = metrics_.get();
      threads.emplace_back([&, loop, options] {
        // Stop consuming and finish the batch in flight: RunBatchLoop checks halt() only between
        // batches, so the batch being handled has all its effects durable and its offsets
        // committed (or is left uncommitted for redelivery) before it returns.
        absl::Status s = kafka::RunBatchLoop(*loop->consumer, *producer_, *loop->spec.handler,
                                             options, halt, &loop->stats);
        if (!s.ok()) {
          // The others stop too; say which one failed, as Run returns only the first error.
          spdlog::error("consume loop on {} failed: {}", absl::StrJoin(loop->topics, ","), s);
          std::lock_guard lock(mu);
          if (status.ok()) status = s;
          failed = true;
        }
        ended.notify_all();
      });
    }
    phase_ = Phase::kRunning;
    // The loops watch stop() themselves; this thread waits for the same condition so that a
    // service of components only (no loops) also runs until it is told to stop.
    {
      std::unique_lock lock(mu);
      while (!failed) {
        lock.unlock();
        const bool stopping = stop();
        lock.lock();
        if (stopping) break;
        ended.wait_for(lock, std::chrono::milliseconds(100), [&] { return failed; });
      }
    }
    // Before waiting for the loops: their batches in flight may take a while, and a server
    // should say NOT_SERVING (and /readyz 503) from the moment shutdown begins, not after them.
    phase_ = Phase::kDraining;
    prepare_stop();
    for (std::thread& t : threads) t.join();
  }

  phase_ = Phase::kDraining;
  // Flush the producer before leaving the groups: dead letters and whatever a committed batch
  // published are confirmed already, but messages of a batch that failed (left for redelivery)
  // may still be queued.
  if (producer_ != nullptr) {
    if (absl::Status f = producer_->Flush(absl::Seconds(10)); !f.ok()) {
      spdlog::warn("producer flush on shutdown: {}", f);
    }
  }
  // Close the consumers: leave the groups so other members take the partitions at once.
  for (const std::unique_ptr<Loop>& loop : loops_) loop->consumer->Close();
  // Then the components, last started first: nothing consumes any more, so nothing hands them
  // work, and they still have the stores, which close when the ServiceApp is destroyed.
  prepare_stop();
  while (started > 0) components_[--started]->Stop();
  for (const std::unique_ptr<Loop>& loop : loops_) {
    const kafka::BatchLoopStats& l = loop->stats;
    spdlog::info("{} batches={} messages={} poisoned={} dead_lettered={}", loop->Label("stopped"),
                 l.batches.load(), l.messages.load(), l.poisoned.load(), l.dead_lettered.load());
  }
  return status;
}

}  // namespace candor::service
