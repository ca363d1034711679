#include "services/rating-aggregator/app.h"

#include <iostream>
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
#include "services/rating-aggregator/rating_reconciler.h"
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

// Runs the reconciler's check, and for --repair its repair and a second check.
int Reconcile(const Config& config, RatingReconciler& reconciler) {
  constexpr const char* kTag = "candor-rating-aggregator: ";
  constexpr int kMaxLines = 20;
  absl::Time last_progress = absl::Now();
  auto progress = [&](int64_t products) {
    if (absl::Now() - last_progress < absl::Seconds(2)) return;
    last_progress = absl::Now();
    std::cerr << kTag << products << " products compared\n";
  };
  absl::StatusOr<ReconcileReport> found = reconciler.Check(progress);
  if (!found.ok()) {
    std::cerr << kTag << "check failed: " << found.status().message() << "\n";
    return 1;
  }
  std::cout << DescribeReport(*found, kMaxLines);
  if (found->clean() || !config.reconcile.repair) return found->clean() ? 0 : 1;
  absl::StatusOr<int64_t> repaired = reconciler.Repair(*found);
  if (!repaired.ok()) {
    std::cerr << kTag << "repair failed: " << repaired.status().message() << "\n";
    return 1;
  }
  std::cout << "repaired " << *repaired << " products; checking again\n";
  absl::StatusOr<ReconcileReport> after = reconciler.Check(progress);
  if (!after.ok()) {
    std::cerr << kTag << "check after repair failed: " << after.status().message() << "\n";
    return 1;
  }
  std::cout << DescribeReport(*after, kMaxLines);
  return after->clean() ? 0 : 1;
}

}  // namespace

int RunCommand(const Config& config) {
  if (!config.reconcile.requested()) return -1;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(config.service.pg_dsn, 1);
  if (!pool.ok()) {
    std::cerr << "candor-rating-aggregator: " << pool.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<redis::Client>> redis = redis::Client::Connect(
      config.service.redis_addr, 1, absl::Milliseconds(config.service.redis_timeout_ms));
  if (!redis.ok()) {
    std::cerr << "candor-rating-aggregator: " << redis.status().message() << "\n";
    return 1;
  }
  PgRatingLedger ledger(**pool);
  ratings::PgRatingStore store(**pool);
  ratings::RedisRatingCache cache(**redis);
  RatingReconciler reconciler(store, store, ledger, cache,
                              {.page_size = static_cast<int>(config.reconcile.page),
                               .settle = absl::Milliseconds(config.reconcile.settle_ms)},
                              [](absl::Duration d) { absl::SleepFor(d); });
  return Reconcile(config, reconciler);
}

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-rating-aggregator", .adapters = kAdapters},
      [&config](const service::Adapters& adapters) {
        return std::make_unique<RatingAggregation>(adapters, config);
      });
}

}  // namespace candor::rating_aggregator
