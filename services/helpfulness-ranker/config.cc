#include "services/helpfulness-ranker/config.h"

#include "absl/strings/str_cat.h"
#include "libs/review/validation.h"

namespace candor::helpfulness_ranker {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags,
      {.env_prefix = "CANDOR_RANKER_",
       .adapters = kAdapters,
       .redis_addr_help = "Redis host:port holding helpful:{asin}",
       .redis_timeout_help = "Redis connect/command timeout; a failed update retries the batch",
       .admin_port = 9463},
      &c->service,
      {{{.input_topic_help = "topics of HelpfulVote and ReviewEvent messages, comma-separated; "
                             "poison goes to <topic>.dlq",
         .max_batch_help = "most messages applied in one Postgres transaction",
         .max_batch_limit = 100000},
        &c->consumer}});
  flags.AddString("scores-topic", "CANDOR_RANKER_SCORES_TOPIC", &c->scores_topic,
                  "topic the ranker publishes ReviewScore messages to");
  flags.AddInt("ledger-shards", "CANDOR_RANKER_LEDGER_SHARDS", &c->ledger_shards,
               "concurrent Postgres transactions a batch is split into, by review (at most "
               "--pg-pool-size)",
               1, 64);
  flags.AddInt("top-n", "CANDOR_RANKER_TOP_N", &c->top_n,
               "reviews kept per product in the Redis sorted set; deeper pages come from Postgres",
               10, 100000);
  flags.AddDouble("score-z", "CANDOR_RANKER_SCORE_Z", &c->score.z,
                  "normal quantile of the Wilson bound's confidence (1.96: 95 %)", 0.1, 10);
  flags.AddDouble("decay-per-day", "CANDOR_RANKER_DECAY_PER_DAY", &c->score.decay_per_day,
                  "recency decay lambda of exp(-lambda * days) after the grace", 0, 1);
  flags.AddDouble("grace-days", "CANDOR_RANKER_GRACE_DAYS", &c->score.grace_days,
                  "days before the recency decay starts", 0, 3650);
  flags.AddDouble("verified-boost", "CANDOR_RANKER_VERIFIED_BOOST", &c->score.verified_boost,
                  "score factor for a verified purchase", 1, 10);
  service::RegisterReconcileFlags(
      flags,
      {.check_help = "compare the vote counts, sort keys and helpful:{asin} with the vote ledger "
                     "(I4, I6) instead of running: print the drift, exit 0 when there is none, 1 "
                     "otherwise",
       .repair_help = "--check, then repair what it found through the ranker (counts recounted, "
                      "keys, cache entries rebuilt, scores published), then check again: exit 0 "
                      "when clean (needs --ranker-stopped)"},
      &c->reconcile);
  flags.AddBool("ranker-stopped", "", &c->ranker_stopped,
                "says no candor-helpfulness-ranker is running, which --repair needs (its cache "
                "and score writes could otherwise overtake a running ranker's)");
  flags.AddString("asin-prefix", "", &c->asin_prefix,
                  "--check and --repair: only products whose asin starts with this (a whole asin: "
                  "one product); empty: all");
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  if (c.scores_topic.empty()) return absl::InvalidArgumentError("--scores-topic: required");
  if (c.ledger_shards > c.service.pg_pool_size) {
    return absl::InvalidArgumentError(absl::StrCat("--ledger-shards: ", c.ledger_shards,
                                                   " needs at least as many connections, but "
                                                   "--pg-pool-size is ",
                                                   c.service.pg_pool_size));
  }
  if (absl::Status s = service::ValidateReconcileConfig(c.reconcile); !s.ok()) return s;
  if (c.reconcile.repair && !c.ranker_stopped) {
    return absl::InvalidArgumentError(
        "--repair: stop candor-helpfulness-ranker first and say so with --ranker-stopped (a "
        "running ranker's cache and score writes could be overtaken by the repair's)");
  }
  // A prefix of an asin: padded to an asin's length, it is one.
  if (c.asin_prefix.size() > 10 ||
      !review::IsValidAsin(c.asin_prefix + std::string(10 - c.asin_prefix.size(), '0'))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--asin-prefix: '", c.asin_prefix, "' cannot begin an asin (up to 10 of [A-Z0-9])"));
  }
  return absl::OkStatus();
}

}  // namespace candor::helpfulness_ranker
