#include "services/rating-aggregator/app.h"

#include <memory>

#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/pg_rating_store.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/service/periodic_component.h"
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
// order: each borrows only those above it (and the adapters, which ServiceApp destroys after
// this).
class RatingAggregation final : public service::ServiceDomain {
 public:
  RatingAggregation(const service::Adapters& adapters, const Config& config)
      : config_(config),
        ledger_(*adapters.pg),
        cache_(*adapters.redis),
        store_(*adapters.pg),
        aggregator_(ledger_, cache_),
        handler_(ReviewEventConsumer(aggregator_)),
        healer_(store_, cache_, HealerOptionsFrom(config)),
        // Its own thread, beside the consume loop: a Redis that lost writes is healed even while
        // no events arrive. The adapters' pools are shared with the consume loop.
        heal_timer_({.name = "rating-healer",
                     .interval = absl::Milliseconds(config.heal_interval_ms),
                     .tick = [this] { Heal(); },
                     .cancel = [this] { healer_.Cancel(); }}) {}

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = config_.consumer, .handler = &handler_, .stats = [this] {
               return StatsLine();
             }}};
  }

  std::vector<service::Component*> components() override {
    if (config_.heal_interval_ms == 0) return {};
    return {&heal_timer_};
  }

 private:
  std::string StatsLine() const {
    const AggregatorStats& a = aggregator_.stats();
    return fmt::format(
        "counted={} uncounted={} products_changed={} cache_writes={} cache_stale={} healed={}",
        a.counted.load(), a.uncounted.load(), a.products_changed.load(), a.cache_writes.load(),
        a.cache_stale.load(), healer_.stats().healed.load());
  }

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

  const Config config_;
  PgRatingLedger ledger_;
  ratings::RedisRatingCache cache_;
  ratings::PgRatingStore store_;
  Aggregator aggregator_;
  kafka::DecodingHandler<LedgerEvent> handler_;
  RatingHealer healer_;
  service::PeriodicComponent heal_timer_;  // started and stopped by ServiceApp::Run
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-rating-aggregator", .adapters = kAdapters},
      [&config](const service::Adapters& adapters) {
        return std::make_unique<RatingAggregation>(adapters, config);
      });
}

}  // namespace candor::rating_aggregator
