#include "services/rating-aggregator/app.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "libs/core/log.h"
#include "libs/core/periodic_reporter.h"
#include "libs/kafka/batch_loop.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/pg_rating_ledger.h"
#include "services/rating-aggregator/review_event_consumer.h"

namespace candor::rating_aggregator {
// Declaration order is construction order; destruction runs backwards, so the domain objects go
// before the adapters they borrow, and the stores close last.
struct App::Parts {
  Config config;
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<kafka::Producer> dead_letters;
  std::unique_ptr<kafka::Consumer> consumer;
  std::unique_ptr<PgRatingLedger> ledger;
  std::unique_ptr<ratings::RedisRatingCache> cache;
  std::unique_ptr<Aggregator> aggregator;
  std::unique_ptr<ReviewEventConsumer> handler;
  kafka::BatchLoopStats loop_stats;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() = default;

absl::StatusOr<std::unique_ptr<App>> App::Create(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  auto p = std::make_unique<Parts>();
  p->config = config;

  auto redis = redis::Client::Connect(config.consumer.redis_addr,
                                      static_cast<int>(config.consumer.redis_pool_size),
                                      absl::Milliseconds(config.consumer.redis_timeout_ms));
  if (!redis.ok()) return redis.status();
  p->redis = *std::move(redis);

  auto pg =
      pg::Pool::Create(config.consumer.pg_dsn, static_cast<int>(config.consumer.pg_pool_size));
  if (!pg.ok()) return pg.status();
  p->pg = *std::move(pg);

  kafka::ClientOptions kafka_options{config.consumer.kafka_brokers, "candor-rating-aggregator", {}};
  if (absl::Status s = kafka::CheckBrokers(kafka_options,
                                           absl::Milliseconds(config.consumer.startup_timeout_ms));
      !s.ok()) {
    return s;
  }
  auto producer = kafka::Producer::Create(kafka_options, absl::Seconds(10));
  if (!producer.ok()) return producer.status();
  p->dead_letters = *std::move(producer);
  auto consumer =
      kafka::Consumer::Create(kafka_options, config.consumer.group, {config.consumer.input_topic});
  if (!consumer.ok()) return consumer.status();
  p->consumer = *std::move(consumer);

  p->ledger = std::make_unique<PgRatingLedger>(*p->pg);
  p->cache = std::make_unique<ratings::RedisRatingCache>(*p->redis);
  p->aggregator = std::make_unique<Aggregator>(*p->ledger, *p->cache);
  p->handler = std::make_unique<ReviewEventConsumer>(*p->aggregator);
  return std::unique_ptr<App>(new App(std::move(p)));
}

absl::Status App::Run(const std::function<bool()>& stop) {
  Parts& p = *parts_;
  spdlog::info("consuming {} as group {}", p.config.consumer.input_topic, p.config.consumer.group);
  kafka::BatchLoopOptions options;
  options.max_batch = static_cast<size_t>(p.config.consumer.max_batch);
  options.linger = absl::Milliseconds(p.config.consumer.batch_linger_ms);

  absl::Status status;
  {
    int64_t last_messages = 0;
    core::PeriodicReporter reporter(
        absl::Seconds(p.config.consumer.stats_interval_s), [&](absl::Duration dt) {
          const kafka::BatchLoopStats& l = p.loop_stats;
          const AggregatorStats& a = p.aggregator->stats();
          const int64_t messages = l.messages.load();
          const double rate =
              static_cast<double>(messages - last_messages) / absl::ToDoubleSeconds(dt);
          last_messages = messages;
          spdlog::info(
              "stats: batches={} messages={} poisoned={} retries={} events/s={:.0f} | counted={} "
              "uncounted={} products_changed={} cache_writes={} cache_stale={}",
              l.batches.load(), messages, l.poisoned.load(), l.retries.load(), rate,
              a.counted.load(), a.uncounted.load(), a.products_changed.load(),
              a.cache_writes.load(), a.cache_stale.load());
        });
    // Stop consuming and finish the batch in flight: RunBatchLoop checks stop() only between
    // batches, so the batch being applied is committed in Postgres, written to Redis and its
    // offsets committed (or left uncommitted for redelivery) before it returns.
    status =
        kafka::RunBatchLoop(*p.consumer, *p.dead_letters, *p.handler, options, stop, &p.loop_stats);
  }
  // Flush the producer: dead letters are confirmed one by one already, so this is a formality
  // that keeps the order the same as in every service.
  if (absl::Status f = p.dead_letters->Flush(absl::Seconds(10)); !f.ok()) {
    spdlog::warn("producer flush on shutdown: {}", f);
  }
  // Close the consumer: leave the group so another member takes the partitions at once.
  p.consumer->Close();
  // Postgres and Redis close when the App is destroyed, after everything that borrows them.
  spdlog::info("stopped: batches={} messages={} poisoned={}", p.loop_stats.batches.load(),
               p.loop_stats.messages.load(), p.loop_stats.poisoned.load());
  return status;
}

}  // namespace candor::rating_aggregator
