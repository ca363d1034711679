#include "services/rating-aggregator/app.h"

#include "libs/core/log.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/pg_rating_ledger.h"
#include "services/rating-aggregator/review_event_consumer.h"

namespace candor::rating_aggregator {
namespace {

// The rating-aggregator's domain on the shared adapters. Members are declared in construction
// order: each borrows only those above it (and the adapters, which ConsumerApp destroys after
// this). The producer is used for dead letters only.
class RatingAggregation final : public service::ConsumerDomain {
 public:
  explicit RatingAggregation(const service::ConsumerAdapters& adapters)
      : ledger_(adapters.pg),
        cache_(adapters.redis),
        aggregator_(ledger_, cache_),
        handler_(aggregator_) {}

  kafka::BatchHandler& handler() override { return handler_; }

  std::string StatsLine() const override {
    const AggregatorStats& a = aggregator_.stats();
    return fmt::format("counted={} uncounted={} products_changed={} cache_writes={} cache_stale={}",
                       a.counted.load(), a.uncounted.load(), a.products_changed.load(),
                       a.cache_writes.load(), a.cache_stale.load());
  }

 private:
  PgRatingLedger ledger_;
  ratings::RedisRatingCache cache_;
  Aggregator aggregator_;
  ReviewEventConsumer handler_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ConsumerApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return service::ConsumerApp::Create(config.consumer, {.client_id = "candor-rating-aggregator"},
                                      [](const service::ConsumerAdapters& adapters) {
                                        return std::make_unique<RatingAggregation>(adapters);
                                      });
}

}  // namespace candor::rating_aggregator
