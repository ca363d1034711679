#include "services/rating-aggregator/config.h"

namespace candor::rating_aggregator {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags,
      {.env_prefix = "CANDOR_AGG_",
       .adapters = kAdapters,
       .redis_addr_help = "Redis host:port holding rating:{asin}",
       .redis_timeout_help = "Redis connect/command timeout; a failed write retries the batch",
       .admin_port = 9462},
      &c->service,
      {{{.input_topic_help = "topic of ReviewEvent messages; poison goes to <topic>.dlq",
         .max_batch_help = "most events applied in one Postgres transaction",
         .max_batch_limit = 100000},
        &c->consumer}});
  flags.AddInt("heal-interval-ms", "CANDOR_AGG_HEAL_INTERVAL_MS", &c->heal_interval_ms,
               "how often Redis is checked against product_ratings and healed: after a Redis "
               "restart (new run_id) every product, otherwise those changed in the last "
               "--heal-window-s; 0 turns healing off",
               0, 3600000);
  flags.AddInt("heal-window-s", "CANDOR_AGG_HEAL_WINDOW_S", &c->heal_window_s,
               "how far back each routine heal check looks for changed products", 1, 86400);
  service::RegisterReconcileFlags(
      flags,
      {.check_help = "instead of running: compare every product_ratings row with the sums over "
                     "its counted reviews (I2) and with rating:{asin} (I3), print the drift, exit "
                     "0 when there is none, 1 otherwise",
       .repair_help = "as --check, then recount or rewrite every drifted product (safe beside a "
                      "running aggregator) and check again: exit 0 when no drift is left"},
      &c->reconcile);
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateReconcileConfig(c.reconcile); !s.ok()) return s;
  return service::ValidateConsumerConfig(c.consumer);
}

}  // namespace candor::rating_aggregator
