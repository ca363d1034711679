#include "services/fraud-scorer/app.h"

#include "libs/core/clock.h"
#include "libs/core/log.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/model.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/metrics.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "services/fraud-scorer/intake.h"
#include "services/fraud-scorer/kafka_accepted_publisher.h"
#include "services/fraud-scorer/model_scorer.h"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/fraud-scorer/redis_behaviour_window.h"
#include "services/fraud-scorer/rule_scorer.h"
#include "services/fraud-scorer/submission_consumer.h"

namespace candor::fraud_scorer {
namespace {

// The fraud-scorer's domain on the shared adapters. Members are declared in construction order:
// each borrows only those above it (and the adapters, which ServiceApp destroys after this).
// With --scorer model, `model` and `datacenters` are the files CreateApp loaded; with rules they
// are null and the rule set's behaviour window is used instead.
class FraudScoring final : public service::ServiceDomain {
 public:
  FraudScoring(const Config& config, const service::Adapters& adapters,
               std::unique_ptr<fraud::FraudModel> model, fraud::CidrList datacenters)
      : config_(config),
        model_(std::move(model)),
        datacenters_(std::move(datacenters)),
        scorer_(MakeScorer(config, adapters)),
        repository_(*adapters.pg),
        publisher_(*adapters.producer, config.output_topic,
                   absl::Milliseconds(config.publish_timeout_ms)),
        intake_(*scorer_, repository_, publisher_, clock_),
        handler_(SubmissionConsumer(intake_)) {
    ExposeMetrics(*adapters.metrics);
  }

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = config_.consumer,
             .handler = &handler_,
             .stats = [this] { return StatsLine(); },
             .startup_details =
                 fmt::format(", scorer {}, publishing to {}, thresholds queue>={} reject>{}",
                             model_ != nullptr ? model_->metadata().version : RuleScorer::kName,
                             config_.output_topic, config_.model.queue_threshold,
                             config_.model.reject_threshold)}};
  }

 private:
  std::unique_ptr<Scorer> MakeScorer(const Config& config, const service::Adapters& adapters) {
    const Thresholds thresholds{config.model.queue_threshold, config.model.reject_threshold};
    if (model_ != nullptr) {
      features_ = std::make_unique<fraud::RedisFeatureStore>(*adapters.redis, clock_);
      return std::make_unique<ModelScorer>(*features_, *model_, datacenters_, thresholds,
                                           static_cast<int>(config.model.top_reasons));
    }
    window_ = std::make_unique<RedisBehaviourWindow>(*adapters.redis, clock_);
    return std::make_unique<RuleScorer>(*window_, thresholds);
  }

  // The intake's counters, read at each scrape (the App stops its admin server before this
  // domain is destroyed).
  void ExposeMetrics(metrics::Registry& registry) {
    const IntakeStats& i = intake_.stats();
    const char* decisions =
        "Reviews decided and stored, by decision; unscored: failed open (features or model "
        "unavailable), stored active";
    metrics::ExposeCounters(
        registry, "candor_fraud_decisions_total", decisions, "decision",
        {{"pass", i.pass}, {"queue", i.queue}, {"reject", i.reject}, {"unscored", i.unscored}});
    metrics::ExposeCounter(
        registry, "candor_fraud_fail_open_total",
        "Reviews the scorer failed on as a whole and that were failed open (stored unscored)", {},
        i.failed_open);
    metrics::ExposeCounter(registry, "candor_fraud_reviews_inserted_total",
                           "New review rows written", {}, i.inserted);
    metrics::ExposeCounter(registry, "candor_fraud_duplicates_total",
                           "Submissions already stored (redelivery) or repeated within a batch", {},
                           i.duplicates);
    metrics::ExposeCounter(registry, "candor_fraud_accepted_published_total",
                           "Accepted events confirmed by Kafka", {}, i.published);
  }

  std::string StatsLine() const {
    const IntakeStats& i = intake_.stats();
    return fmt::format(
        "pass={} queue={} reject={} unscored={} inserted={} duplicates={} published={}",
        i.pass.load(), i.queue.load(), i.reject.load(), i.unscored.load(), i.inserted.load(),
        i.duplicates.load(), i.published.load());
  }

  const Config config_;
  core::SystemClock clock_;
  std::unique_ptr<fraud::FraudModel> model_;  // null with --scorer rules
  fraud::CidrList datacenters_;
  std::unique_ptr<fraud::RedisFeatureStore> features_;  // the model's windows
  std::unique_ptr<RedisBehaviourWindow> window_;        // the rule set's window
  std::unique_ptr<Scorer> scorer_;
  PgReviewRepository repository_;
  KafkaAcceptedPublisher publisher_;  // on the shared producer, which also sends dead letters
  ReviewIntake intake_;
  SubmissionHandler handler_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  // The files first (CheckConfigFiles has already refused bad ones when run from main), so a
  // bad model never costs a connection.
  std::unique_ptr<fraud::FraudModel> model;
  fraud::CidrList datacenters;
  if (config.scorer == "model") {
    absl::StatusOr<ModelFiles> files =
        LoadModelFiles(config.model.model_path, config.model.datacenter_cidrs_path);
    if (!files.ok()) return files.status();
    model = std::move(files->model);
    datacenters = std::move(files->datacenters);
    spdlog::info("fraud model {} ({} features), {} datacenter networks", model->metadata().version,
                 model->metadata().feature_names.size(), datacenters.size());
  }
  return service::ServiceApp::Create(
      config.service,
      {.client_id = "candor-fraud-scorer",
       .adapters = kAdapters,
       // The producer carries the Accepted events, which a batch waits for as long as this.
       .delivery_timeout = absl::Milliseconds(config.publish_timeout_ms)},
      [&config, &model, &datacenters](const service::Adapters& adapters) {
        return std::make_unique<FraudScoring>(config, adapters, std::move(model),
                                              std::move(datacenters));
      });
}

}  // namespace candor::fraud_scorer
