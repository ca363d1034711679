#include "libs/service/consumer_app.h"

#include "libs/core/log.h"
#include "libs/core/periodic_reporter.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"

namespace candor::service {

ConsumerApp::~ConsumerApp() = default;

absl::StatusOr<std::unique_ptr<ConsumerApp>> ConsumerApp::Create(const ConsumerConfig& config,
                                                                 const ConsumerAppOptions& options,
                                                                 const DomainFactory& make_domain) {
  std::unique_ptr<ConsumerApp> app(new ConsumerApp());
  app->config_ = config;
  app->startup_details_ = options.startup_details;

  auto redis = redis::Client::Connect(config.redis_addr, static_cast<int>(config.redis_pool_size),
                                      absl::Milliseconds(config.redis_timeout_ms));
  if (!redis.ok()) return redis.status();
  app->redis_ = *std::move(redis);

  auto pg = pg::Pool::Create(config.pg_dsn, static_cast<int>(config.pg_pool_size));
  if (!pg.ok()) return pg.status();
  app->pg_ = *std::move(pg);

  kafka::ClientOptions kafka_options{config.kafka_brokers, options.client_id, {}};
  if (absl::Status s =
          kafka::CheckBrokers(kafka_options, absl::Milliseconds(config.startup_timeout_ms));
      !s.ok()) {
    return s;
  }
  auto producer = kafka::Producer::Create(kafka_options, options.delivery_timeout);
  if (!producer.ok()) return producer.status();
  app->producer_ = *std::move(producer);
  auto consumer = kafka::Consumer::Create(kafka_options, config.group, {config.input_topic});
  if (!consumer.ok()) return consumer.status();
  app->consumer_ = *std::move(consumer);

  app->domain_ = make_domain({*app->redis_, *app->pg_, *app->producer_});
  return app;
}

absl::Status ConsumerApp::Run(const std::function<bool()>& stop) {
  spdlog::info("consuming {} as group {}{}", config_.input_topic, config_.group, startup_details_);
  kafka::BatchLoopOptions options;
  options.max_batch = static_cast<size_t>(config_.max_batch);
  options.linger = absl::Milliseconds(config_.batch_linger_ms);
  options.max_apply_attempts = static_cast<int>(config_.max_apply_attempts);

  absl::Status status;
  {
    int64_t last_messages = 0;
    core::PeriodicReporter reporter(
        absl::Seconds(config_.stats_interval_s), [&](absl::Duration dt) {
          const kafka::BatchLoopStats& l = loop_stats_;
          const int64_t messages = l.messages.load();
          const double rate =
              static_cast<double>(messages - last_messages) / absl::ToDoubleSeconds(dt);
          last_messages = messages;
          spdlog::info(
              "stats: batches={} messages={} poisoned={} dead_lettered={} retries={} splits={} "
              "events/s={:.0f} | {}",
              l.batches.load(), messages, l.poisoned.load(), l.dead_lettered.load(),
              l.retries.load(), l.splits.load(), rate, domain_->StatsLine());
        });
    // Stop consuming and finish the batch in flight: RunBatchLoop checks stop() only between
    // batches, so the batch being handled has all its effects durable and its offsets committed
    // (or is left uncommitted for redelivery) before it returns.
    status = kafka::RunBatchLoop(*consumer_, *producer_, domain_->handler(), options, stop,
                                 &loop_stats_);
  }
  // Flush the producer before leaving the group: dead letters and whatever a committed batch
  // published are confirmed already, but messages of a batch that failed (left for redelivery)
  // may still be queued.
  if (absl::Status f = producer_->Flush(absl::Seconds(10)); !f.ok()) {
    spdlog::warn("producer flush on shutdown: {}", f);
  }
  // Close the consumer: leave the group so another member takes the partitions at once.
  consumer_->Close();
  // The stores (Postgres pool, Redis client) close when the ConsumerApp is destroyed, after the
  // domain that borrows them.
  spdlog::info("stopped: batches={} messages={} poisoned={} dead_lettered={}",
               loop_stats_.batches.load(), loop_stats_.messages.load(), loop_stats_.poisoned.load(),
               loop_stats_.dead_lettered.load());
  return status;
}

}  // namespace candor::service
