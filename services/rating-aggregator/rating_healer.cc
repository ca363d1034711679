#include "services/rating-aggregator/rating_healer.h"

#include "absl/strings/str_cat.h"

namespace candor::rating_aggregator {

RatingHealer::RatingHealer(ratings::RatingScan& store, ratings::RatingCache& cache,
                           HealerOptions options)
    : store_(store), cache_(cache), options_(options) {}

absl::StatusOr<HealReport> RatingHealer::Check() {
  if (cancelled_) return absl::CancelledError("rating healer cancelled");
  stats_.checks.fetch_add(1);
  absl::StatusOr<std::string> incarnation = cache_.Incarnation();
  if (!incarnation.ok()) return incarnation.status();
  HealReport report;
  report.incarnation = *incarnation;
  if (seen_.has_value() && *seen_ != *incarnation) {
    // A restarted Redis holds whatever its last fsync or dump held, for any product: nothing
    // short of every row is known to be right.
    report.restarted = true;
    report.previous_incarnation = *seen_;
    absl::Status s = Republish(
        [this](const std::string& cursor) { return store_.ListAll(cursor, options_.page_size); },
        &report);
    // seen_ moves only once every page is written, so a failed heal is redone from the start.
    if (!s.ok()) return s;
    seen_ = *incarnation;
    stats_.full_heals.fetch_add(1);
    return report;
  }
  seen_ = *incarnation;
  absl::Status s = Republish(
      [this](const std::string& cursor) {
        return store_.ListChanged(options_.window, options_.settle, cursor, options_.page_size);
      },
      &report);
  if (!s.ok()) return s;
  return report;
}

absl::Status RatingHealer::Republish(const PageFn& page, HealReport* report) {
  std::string cursor;
  do {
    if (cancelled_) return absl::CancelledError("rating healer cancelled");
    absl::StatusOr<ratings::RatingPage> p = page(cursor);
    if (!p.ok()) return p.status();
    if (p->aggregates.empty()) break;
    // Versioned: the cache keeps whatever it holds at this version or newer, so "stored" means
    // exactly "the cache was missing it or behind".
    absl::StatusOr<std::vector<bool>> stored = cache_.PutMany(p->aggregates);
    if (!stored.ok()) return stored.status();
    report->checked += static_cast<int64_t>(stored->size());
    for (bool healed : *stored) {
      if (healed) {
        ++report->healed;
        stats_.healed.fetch_add(1);
      }
    }
    cursor = p->next;
  } while (!cursor.empty());
  return absl::OkStatus();
}

std::string DescribeHeal(const HealReport& r, const HealerOptions& options) {
  if (r.restarted) {
    return absl::StrCat("healed ", r.healed, " of ", r.checked,
                        " rating hashes after redis restart (run_id ", r.previous_incarnation,
                        " -> ", r.incarnation, ")");
  }
  if (r.healed == 0) return "";
  return absl::StrCat("healed ", r.healed, " of ", r.checked, " rating hashes changed in the last ",
                      absl::FormatDuration(options.window),
                      ": redis was behind postgres without restarting (run_id ", r.incarnation,
                      ")");
}

}  // namespace candor::rating_aggregator
