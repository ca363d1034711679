#include "services/fraud-scorer/app.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "libs/core/clock.h"
#include "libs/core/log.h"
#include "libs/core/periodic_reporter.h"
#include "libs/kafka/batch_loop.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "services/fraud-scorer/intake.h"
#include "services/fraud-scorer/kafka_accepted_publisher.h"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/fraud-scorer/redis_behaviour_window.h"
#include "services/fraud-scorer/rule_scorer.h"
#include "services/fraud-scorer/submission_consumer.h"

namespace candor::fraud_scorer {
// Declaration order is construction order; destruction runs backwards, so the domain objects go
// before the adapters they borrow, and the stores close last.
struct App::Parts {
  Config config;
  core::SystemClock clock;
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<kafka::Producer> producer;  // Accepted events and dead letters
  std::unique_ptr<kafka::Consumer> consumer;
  std::unique_ptr<RedisBehaviourWindow> window;
  std::unique_ptr<RuleScorer> scorer;
  std::unique_ptr<PgReviewRepository> repository;
  std::unique_ptr<KafkaAcceptedPublisher> publisher;
  std::unique_ptr<ReviewIntake> intake;
  std::unique_ptr<SubmissionConsumer> handler;
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

  kafka::ClientOptions kafka_options{config.consumer.kafka_brokers, "candor-fraud-scorer", {}};
  if (absl::Status s = kafka::CheckBrokers(kafka_options,
                                           absl::Milliseconds(config.consumer.startup_timeout_ms));
      !s.ok()) {
    return s;
  }
  auto producer =
      kafka::Producer::Create(kafka_options, absl::Milliseconds(config.publish_timeout_ms));
  if (!producer.ok()) return producer.status();
  p->producer = *std::move(producer);
  auto consumer =
      kafka::Consumer::Create(kafka_options, config.consumer.group, {config.consumer.input_topic});
  if (!consumer.ok()) return consumer.status();
  p->consumer = *std::move(consumer);

  p->window = std::make_unique<RedisBehaviourWindow>(*p->redis, p->clock);
  p->scorer = std::make_unique<RuleScorer>(
      *p->window, Thresholds{config.queue_threshold, config.reject_threshold});
  p->repository = std::make_unique<PgReviewRepository>(*p->pg);
  p->publisher = std::make_unique<KafkaAcceptedPublisher>(
      *p->producer, config.output_topic, absl::Milliseconds(config.publish_timeout_ms));
  p->intake = std::make_unique<ReviewIntake>(*p->scorer, *p->repository, *p->publisher, p->clock);
  p->handler = std::make_unique<SubmissionConsumer>(*p->intake);
  return std::unique_ptr<App>(new App(std::move(p)));
}

absl::Status App::Run(const std::function<bool()>& stop) {
  Parts& p = *parts_;
  spdlog::info("consuming {} as group {}, publishing to {}, thresholds queue>={} reject>{}",
               p.config.consumer.input_topic, p.config.consumer.group, p.config.output_topic,
               p.config.queue_threshold, p.config.reject_threshold);
  kafka::BatchLoopOptions options;
  options.max_batch = static_cast<size_t>(p.config.consumer.max_batch);
  options.linger = absl::Milliseconds(p.config.consumer.batch_linger_ms);

  absl::Status status;
  {
    int64_t last_messages = 0;
    core::PeriodicReporter reporter(
        absl::Seconds(p.config.consumer.stats_interval_s), [&](absl::Duration dt) {
          const kafka::BatchLoopStats& l = p.loop_stats;
          const IntakeStats& i = p.intake->stats();
          const int64_t messages = l.messages.load();
          const double rate =
              static_cast<double>(messages - last_messages) / absl::ToDoubleSeconds(dt);
          last_messages = messages;
          spdlog::info(
              "stats: batches={} messages={} poisoned={} retries={} events/s={:.0f} | pass={} "
              "queue={} reject={} unscored={} inserted={} duplicates={} published={}",
              l.batches.load(), messages, l.poisoned.load(), l.retries.load(), rate, i.pass.load(),
              i.queue.load(), i.reject.load(), i.unscored.load(), i.inserted.load(),
              i.duplicates.load(), i.published.load());
        });
    // Stop consuming and finish the batch in flight: RunBatchLoop checks stop() only between
    // batches, so the batch being handled is stored, published and committed (or left
    // uncommitted for redelivery) before it returns.
    status =
        kafka::RunBatchLoop(*p.consumer, *p.producer, *p.handler, options, stop, &p.loop_stats);
  }
  // Flush the producer before leaving the group: every Accepted of a committed batch is already
  // confirmed, but dead letters and late retries may still be queued.
  if (absl::Status f = p.producer->Flush(absl::Seconds(10)); !f.ok()) {
    spdlog::warn("producer flush on shutdown: {}", f);
  }
  // Close the consumer: leave the group so another member takes the partitions at once.
  p.consumer->Close();
  // The stores (Postgres pool, Redis client) close when the App is destroyed, after everything
  // that borrows them.
  spdlog::info("stopped: batches={} messages={} poisoned={}", p.loop_stats.batches.load(),
               p.loop_stats.messages.load(), p.loop_stats.poisoned.load());
  return status;
}

}  // namespace candor::fraud_scorer
