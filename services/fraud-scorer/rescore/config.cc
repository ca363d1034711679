#include "services/fraud-scorer/rescore/config.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/review/validation.h"

namespace candor::fraud_scorer::rescore {
namespace {

// "2026-12-01T08:00:00Z" (any RFC 3339 time) or "2026-12-01" (midnight UTC).
absl::StatusOr<absl::Time> ParseWhen(const std::string& flag, const std::string& text) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &error)) return t;
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, ": '", text,
                   "' is not an RFC 3339 time (2026-12-01T08:00:00Z) or a date "
                   "(2026-12-01)"));
}

}  // namespace

void RegisterFlags(core::Flags& flags, Config* c) {
  flags.AddBool("unscored", "", &c->unscored,
                "re-score the reviews whose latest decision is 'unscored' (failed open)");
  flags.AddString("from", "", &c->from,
                  "re-score reviews submitted at or after this time: RFC 3339 "
                  "(2026-12-01T08:00:00Z) or a date (2026-12-01, midnight UTC)");
  flags.AddString("to", "", &c->to, "... and before this time (same forms)");
  flags.AddString("asin", "", &c->asin, "only this product's reviews");
  flags.AddBool("apply", "", &c->apply,
                "enact the decisions (audit rows, statuses, moderation queue, review-events); "
                "without it a shadow run prints what would change and writes nothing");
  RegisterModelFlags(flags, &c->model);
  flags.AddInt("batch", "", &c->batch,
               "reviews per page, per scoring call and (with --apply) per transaction", 1, 10000);
  flags.AddInt("examples", "", &c->examples,
               "example review ids printed per decision change, with their reasons", 0, 1000);
  flags.AddInt("progress-interval-s", "", &c->progress_interval_s,
               "seconds between progress lines on stderr (done/total, rate, ETA)", 1, 3600);
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &c->pg_dsn, "PostgreSQL connection string");
  flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &c->redis_addr,
                  "Redis host:port holding the fraud feature store (the scorer's)");
  flags.AddInt("redis-timeout-ms", "", &c->redis_timeout_ms,
               "Redis connect/command timeout; a batch past it is not re-scored", 10, 600000);
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &c->kafka_brokers,
                  "Kafka bootstrap servers (with --apply)");
  flags.AddString("output-topic", "CANDOR_FRAUD_OUTPUT_TOPIC", &c->output_topic,
                  "topic the Accepted and Removed events go to (with --apply)");
  flags.AddInt("publish-timeout-ms", "", &c->publish_timeout_ms,
               "how long a batch waits for Kafka to confirm its events", 100, 600000);
  flags.AddInt("startup-timeout-ms", "", &c->startup_timeout_ms,
               "wait for a Kafka broker at startup (with --apply)", 100, 600000);
}

absl::StatusOr<reviewdb::RescoreSelection> SelectionOf(const Config& c) {
  if (!c.unscored && c.from.empty() && c.to.empty()) {
    return absl::InvalidArgumentError(
        "nothing selected: pass --unscored and/or --from / --to (and --asin to narrow it)");
  }
  reviewdb::RescoreSelection s;
  s.unscored_only = c.unscored;
  if (!c.from.empty()) {
    absl::StatusOr<absl::Time> t = ParseWhen("from", c.from);
    if (!t.ok()) return t.status();
    s.from = *t;
  }
  if (!c.to.empty()) {
    absl::StatusOr<absl::Time> t = ParseWhen("to", c.to);
    if (!t.ok()) return t.status();
    s.to = *t;
  }
  if (s.from && s.to && *s.from >= *s.to) {
    return absl::InvalidArgumentError("--from must be before --to");
  }
  if (!c.asin.empty()) {
    if (absl::Status st = review::ValidateAsin(c.asin); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--", st.message()));
    }
    s.asin = c.asin;
  }
  return s;
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::StatusOr<reviewdb::RescoreSelection> s = SelectionOf(c); !s.ok()) return s.status();
  if (absl::Status s = ValidateThresholds(c.model.queue_threshold, c.model.reject_threshold);
      !s.ok()) {
    return s;
  }
  if (c.model.model_path.empty()) return absl::InvalidArgumentError("--model: must name the model");
  if (c.pg_dsn.empty()) return absl::InvalidArgumentError("--pg-dsn: must not be empty");
  if (c.redis_addr.empty()) return absl::InvalidArgumentError("--redis-addr: must not be empty");
  if (c.apply && c.kafka_brokers.empty()) {
    return absl::InvalidArgumentError("--kafka-brokers: must not be empty with --apply");
  }
  if (c.apply && c.output_topic.empty()) {
    return absl::InvalidArgumentError("--output-topic: must not be empty with --apply");
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer::rescore
