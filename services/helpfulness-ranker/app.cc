#include "services/helpfulness-ranker/app.h"

#include <iostream>
#include <memory>

#include "libs/core/clock.h"
#include "libs/core/log.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/metrics.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "services/helpfulness-ranker/kafka_score_publisher.h"
#include "services/helpfulness-ranker/pg_vote_ledger.h"
#include "services/helpfulness-ranker/ranker.h"
#include "services/helpfulness-ranker/ranker_consumer.h"
#include "services/helpfulness-ranker/ranking_check.h"
#include "services/helpfulness-ranker/redis_ranking_cache.h"

namespace candor::helpfulness_ranker {
namespace {

// The ranker's domain on the shared adapters. Members are declared in construction order: each
// borrows only those above it (and the adapters, which ServiceApp destroys after this).
class HelpfulnessRanking final : public service::ServiceDomain {
 public:
  HelpfulnessRanking(const service::Adapters& adapters, const Config& config)
      : config_(config),
        ledger_(*adapters.pg, static_cast<int>(config.ledger_shards)),
        cache_(*adapters.redis, static_cast<int>(config.top_n)),
        publisher_(*adapters.producer, config.scores_topic),
        ranker_(ledger_, cache_, publisher_, config.score, static_cast<int>(config.top_n), clock_),
        handler_(ranker_) {
    ExposeMetrics(*adapters.metrics);
  }

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = config_.consumer,
             .handler = &handler_,
             .stats = [this] { return StatsLine(); },
             .startup_details = fmt::format(
                 " (ledger in {} concurrent transactions, top {} per product in Redis, scores to "
                 "{})",
                 config_.ledger_shards, config_.top_n, config_.scores_topic)}};
  }

 private:
  // The ranker's counters, read at each scrape (ServiceApp stops its admin server before this
  // domain is destroyed).
  void ExposeMetrics(metrics::Registry& registry) {
    const RankerStats& s = ranker_.stats();
    const char* votes =
        "Helpful votes applied, by outcome: changed a ledger count; unchanged (a replay, an older "
        "or repeated vote); unknown (the review is not stored)";
    metrics::ExposeCounters(registry, "candor_ranker_votes_total", votes, "outcome",
                            {{"changed", s.votes_changed},
                             {"unchanged", s.votes_unchanged},
                             {"unknown", s.votes_unknown}});
    const char* reviews =
        "Review updates written to the ranking cache (ranked) or taken out of it (unranked)";
    metrics::ExposeCounters(registry, "candor_ranker_review_updates_total", reviews, "change",
                            {{"ranked", s.reviews_ranked}, {"unranked", s.reviews_unranked}});
    metrics::ExposeCounter(registry, "candor_ranker_cache_rebuilds_total",
                           "Products whose Redis ranking entry was rebuilt from the ledger", {},
                           s.rebuilds);
    metrics::ExposeCounter(registry, "candor_ranker_scores_published_total",
                           "Score changes published to review-scores", {}, s.scores_published);
  }

  std::string StatsLine() const {
    const RankerStats& s = ranker_.stats();
    return fmt::format(
        "votes_changed={} votes_unchanged={} votes_unknown={} ranked={} unranked={} rebuilds={} "
        "scores_published={}",
        s.votes_changed.load(), s.votes_unchanged.load(), s.votes_unknown.load(),
        s.reviews_ranked.load(), s.reviews_unranked.load(), s.rebuilds.load(),
        s.scores_published.load());
  }

  const Config config_;
  core::SystemClock clock_;
  PgVoteLedger ledger_;
  RedisRankingCache cache_;
  KafkaScorePublisher publisher_;
  Ranker ranker_;
  RankerConsumer handler_;
};

// A check's lines and summary, on stdout.
void Print(const DriftReport& report) {
  for (const std::string& line : report.examples) std::cout << "  " << line << "\n";
  const auto shown = static_cast<int64_t>(report.examples.size());
  if (report.total() > shown) std::cout << "  ... and " << report.total() - shown << " more\n";
  std::cout << report.Summary() << "\n";
}

int Failed(const absl::Status& status) {
  std::cerr << "candor-helpfulness-ranker: " << status.message() << "\n";
  return 1;
}

}  // namespace

int RunCommand(const Config& config) {
  if (!config.reconcile.requested()) return -1;
  const service::ServiceConfig& sc = config.service;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(sc.pg_dsn, 1);
  if (!pool.ok()) return Failed(pool.status());
  absl::StatusOr<std::unique_ptr<redis::Client>> redis =
      redis::Client::Connect(sc.redis_addr, 1, absl::Milliseconds(sc.redis_timeout_ms));
  if (!redis.ok()) return Failed(redis.status());
  const int top_n = static_cast<int>(config.top_n);
  PgVoteLedger ledger(**pool);
  RedisRankingCache cache(**redis, top_n);
  RankingCheck check(ledger, ledger, cache, config.score, top_n,
                     {.asin_prefix = config.asin_prefix,
                      .page = static_cast<int>(config.reconcile.page),
                      .settle = absl::Milliseconds(config.reconcile.settle_ms)});
  if (config.reconcile.check) {
    absl::StatusOr<DriftReport> report = check.Check();
    if (!report.ok()) return Failed(report.status());
    Print(*report);
    return report->clean() ? 0 : 1;
  }

  const kafka::ClientOptions kafka_options{
      sc.kafka_brokers, "candor-helpfulness-ranker-repair", {}};
  if (absl::Status s =
          kafka::CheckBrokers(kafka_options, absl::Milliseconds(sc.startup_timeout_ms));
      !s.ok()) {
    return Failed(s);
  }
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(kafka_options, absl::Seconds(10));
  if (!producer.ok()) return Failed(producer.status());
  KafkaScorePublisher publisher(**producer, config.scores_topic);
  core::SystemClock clock;
  Ranker ranker(ledger, cache, publisher, config.score, top_n, clock);
  absl::StatusOr<RankingCheck::Repaired> repaired = check.Repair(ranker);
  if (!repaired.ok()) return Failed(repaired.status());
  std::cout << "before the repair:\n";
  Print(repaired->before);
  if (!repaired->before.clean()) {
    const RankerStats& s = ranker.stats();
    std::cout << fmt::format(
        "repaired: {} reviews recounted and re-ranked, {} cache entries rebuilt, {} scores "
        "published\nafter the repair:\n",
        repaired->before.review_ids.size(), s.rebuilds.load(), s.scores_published.load());
    Print(repaired->after);
  }
  return repaired->after.clean() ? 0 : 1;
}

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-helpfulness-ranker", .adapters = kAdapters},
      [&config](const service::Adapters& adapters) {
        return std::make_unique<HelpfulnessRanking>(adapters, config);
      });
}

}  // namespace candor::helpfulness_ranker
