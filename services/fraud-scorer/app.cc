#include "services/fraud-scorer/app.h"

#include "libs/core/clock.h"
#include "libs/core/log.h"
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
namespace {

// The fraud-scorer's domain on the shared adapters. Members are declared in construction order:
// each borrows only those above it (and the adapters, which ServiceApp destroys after this).
class FraudScoring final : public service::ServiceDomain {
 public:
  FraudScoring(const Config& config, const service::Adapters& adapters)
      : config_(config),
        window_(*adapters.redis, clock_),
        scorer_(window_, Thresholds{config.queue_threshold, config.reject_threshold}),
        repository_(*adapters.pg),
        publisher_(*adapters.producer, config.output_topic,
                   absl::Milliseconds(config.publish_timeout_ms)),
        intake_(scorer_, repository_, publisher_, clock_),
        handler_(SubmissionConsumer(intake_)) {}

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = config_.consumer,
             .handler = &handler_,
             .stats = [this] { return StatsLine(); },
             .startup_details = fmt::format(", publishing to {}, thresholds queue>={} reject>{}",
                                            config_.output_topic, config_.queue_threshold,
                                            config_.reject_threshold)}};
  }

 private:
  std::string StatsLine() const {
    const IntakeStats& i = intake_.stats();
    return fmt::format(
        "pass={} queue={} reject={} unscored={} inserted={} duplicates={} published={}",
        i.pass.load(), i.queue.load(), i.reject.load(), i.unscored.load(), i.inserted.load(),
        i.duplicates.load(), i.published.load());
  }

  const Config config_;
  core::SystemClock clock_;
  RedisBehaviourWindow window_;
  RuleScorer scorer_;
  PgReviewRepository repository_;
  KafkaAcceptedPublisher publisher_;  // on the shared producer, which also sends dead letters
  ReviewIntake intake_;
  kafka::DecodingHandler<review::Submission> handler_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ServiceApp::Create(
      config.service,
      {.client_id = "candor-fraud-scorer",
       .adapters = kAdapters,
       // The producer carries the Accepted events, which a batch waits for as long as this.
       .delivery_timeout = absl::Milliseconds(config.publish_timeout_ms)},
      [&config](const service::Adapters& adapters) {
        return std::make_unique<FraudScoring>(config, adapters);
      });
}

}  // namespace candor::fraud_scorer
