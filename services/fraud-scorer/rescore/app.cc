#include "services/fraud-scorer/rescore/app.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/core/clock.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "services/fraud-scorer/model_scorer.h"
#include "services/fraud-scorer/rescore/held_marks.h"
#include "services/fraud-scorer/rescore/kafka_event_publisher.h"
#include "services/fraud-scorer/rescore/pg_rescore_store.h"
#include "services/fraud-scorer/rescore/rescorer.h"

namespace candor::fraud_scorer::rescore {
namespace {

std::string Describe(const reviewdb::RescoreSelection& s) {
  auto when = [](absl::Time t) {
    return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
  };
  std::string out = s.unscored_only ? "reviews whose latest decision is unscored" : "reviews";
  if (s.from || s.to) {
    absl::StrAppend(&out, " submitted in [", s.from ? when(*s.from) : "-inf", ", ",
                    s.to ? when(*s.to) : "+inf", ")");
  }
  if (!s.asin.empty()) absl::StrAppend(&out, " of product ", s.asin);
  return out;
}

std::string Header(const Config& c, const reviewdb::RescoreSelection& selection,
                   const std::string& version) {
  std::string out = absl::StrCat("candor-fraud-rescore: ", c.apply ? "apply" : "shadow",
                                 " run of model ", version, " (queue >= ", c.model.queue_threshold,
                                 ", reject > ", c.model.reject_threshold, ")\n");
  absl::StrAppend(&out, "selection: ", Describe(selection), "\n");
  if (!c.apply) {
    absl::StrAppend(&out,
                    "shadow: nothing was written to Postgres or Kafka (reviews the feature store "
                    "had never recorded were recorded; README, \"Features\")\n");
  }
  return out;
}

}  // namespace

absl::Status RunRescore(const Config& config, fraud::FraudModel& model,
                        const fraud::CidrList& datacenters, Report& report, std::ostream& out,
                        std::ostream& progress) {
  absl::StatusOr<reviewdb::RescoreSelection> selection = SelectionOf(config);
  if (!selection.ok()) return selection.status();
  const std::string& version = model.metadata().version;

  // Every connection before the first read, so an unreachable one costs nothing.
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(config.pg_dsn, 1);
  if (!pool.ok()) return pool.status();
  absl::StatusOr<std::unique_ptr<redis::Client>> redis =
      redis::Client::Connect(config.redis_addr, 1, absl::Milliseconds(config.redis_timeout_ms));
  if (!redis.ok()) return redis.status();
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<KafkaEventPublisher> publisher;
  if (config.apply) {
    kafka::ClientOptions options;
    options.brokers = config.kafka_brokers;
    options.client_id = "candor-fraud-rescore";
    if (absl::Status s =
            kafka::CheckBrokers(options, absl::Milliseconds(config.startup_timeout_ms));
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::unique_ptr<kafka::Producer>> p =
        kafka::Producer::Create(options, absl::Milliseconds(config.publish_timeout_ms));
    if (!p.ok()) return p.status();
    producer = *std::move(p);
    publisher = std::make_unique<KafkaEventPublisher>(
        *producer, config.output_topic, absl::Milliseconds(config.publish_timeout_ms));
  }

  core::SystemClock clock;
  fraud::RedisFeatureStore features(**redis, clock);
  HeldMarks marks(features);
  ModelScorer scorer(marks, model, datacenters,
                     Thresholds{config.model.queue_threshold, config.model.reject_threshold},
                     static_cast<int>(config.model.top_reasons));
  PgRescoreStore store(**pool);
  Rescorer rescorer(store, scorer, marks, publisher.get(), clock, version,
                    {.selection = *selection,
                     .apply = config.apply,
                     .batch = static_cast<int>(config.batch),
                     .progress_interval = absl::Seconds(config.progress_interval_s)});
  absl::Status status = rescorer.Run(report, [&progress](const std::string& line) {
    progress << "candor-fraud-rescore: " << line << std::endl;
  });
  // The feature store sends queued marks with its next call: this is the last one.
  if (features.queued_marks() > 0) {
    (void)features.RecordBatch({});
    if (features.queued_marks() > 0) {
      progress << "candor-fraud-rescore: " << features.queued_marks()
               << " rejection marks could not be sent to Redis (they only weaken the shared "
                  "address and device features)"
               << std::endl;
    }
  }
  out << report.Render(Header(config, *selection, version), config.apply);
  return status;
}

}  // namespace candor::fraud_scorer::rescore
