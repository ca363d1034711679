#include "services/rating-aggregator/app.h"

#include <memory>

#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/core/periodic_reporter.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/pg_rating_ledger.h"
#include "services/rating-aggregator/rating_healer.h"
#include "services/rating-aggregator/review_event_consumer.h"

namespace candor::rating_aggregator {
namespace {

HealerOptions HealerOptionsFrom(const Config& config) {
  HealerOptions o;
  o.window = absl::Seconds(config.heal_window_s);
  o.settle = absl::Milliseconds(config.heal_interval_ms);
  return o;
}

// The rating-aggregator's domain on the shared adapters. Members are declared in construction
// order: each borrows only those above it (and the adapters, which ConsumerApp destroys after
// this). The producer is used for dead letters only.
class RatingAggregation final : public service::ConsumerDomain {
 public:
  RatingAggregation(const service::ConsumerAdapters& adapters, const Config& config)
      : ledger_(adapters.pg),
        cache_(adapters.redis),
        store_(adapters.pg),
        aggregator_(ledger_, cache_),
        handler_(aggregator_),
        healer_(store_, cache_, HealerOptionsFrom(config)) {
    if (config.heal_interval_ms > 0) {
      // Its own thread, beside the consume loop: a Redis that lost writes is healed even while
      // no events arrive. The adapters' pools are shared with the consume loop.
      heal_timer_ = std::make_unique<core::PeriodicReporter>(
          absl::Milliseconds(config.heal_interval_ms), [this](absl::Duration) { Heal(); });
    }
  }
  ~RatingAggregation() override {
    // A full heal of a large table takes a while: stop it at its next page rather than wait.
    healer_.Cancel();
    heal_timer_.reset();
  }

  kafka::BatchHandler& handler() override { return handler_; }

  std::string StatsLine() const override {
    const AggregatorStats& a = aggregator_.stats();
    return fmt::format(
        "counted={} uncounted={} products_changed={} cache_writes={} cache_stale={} healed={}",
        a.counted.load(), a.uncounted.load(), a.products_changed.load(), a.cache_writes.load(),
        a.cache_stale.load(), healer_.stats().healed.load());
  }

 private:
  void Heal() {
    absl::StatusOr<HealReport> report = healer_.Check();
    if (!report.ok()) {
      // Retried at the next interval; a failed full heal starts over then.
      if (report.status().code() != absl::StatusCode::kCancelled) {
        spdlog::warn("rating heal check failed (retrying in {}): {}",
                     absl::FormatDuration(healer_.options().settle), report.status().ToString());
      }
      return;
    }
    if (std::string line = DescribeHeal(*report, healer_.options()); !line.empty()) {
      spdlog::warn("{}", line);
    }
  }

  PgRatingLedger ledger_;
  ratings::RedisRatingCache cache_;
  ratings::PgRatingStore store_;
  Aggregator aggregator_;
  ReviewEventConsumer handler_;
  RatingHealer healer_;
  std::unique_ptr<core::PeriodicReporter> heal_timer_;  // last: stops first
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ConsumerApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ConsumerApp::Create(config.consumer, {.client_id = "candor-rating-aggregator"},
                                      [config](const service::ConsumerAdapters& adapters) {
                                        return std::make_unique<RatingAggregation>(adapters,
                                                                                   config);
                                      });
}

}  // namespace candor::rating_aggregator
