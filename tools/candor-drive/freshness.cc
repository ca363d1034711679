#include "tools/candor-drive/freshness.h"

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"

namespace candor::drive {

FreshnessReport WaitForFreshness(ReviewLedger& ledger, const SummaryFetcher& fetch,
                                 const std::vector<std::string>& ok_review_ids,
                                 const std::vector<std::string>& asins,
                                 std::chrono::steady_clock::time_point last_ok,
                                 const FreshnessOptions& options,
                                 const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  FreshnessReport report;
  report.reviews_expected = static_cast<int64_t>(ok_review_ids.size());
  report.products = static_cast<int64_t>(asins.size());

  std::set<std::string> missing(ok_review_ids.begin(), ok_review_ids.end());
  std::vector<std::string> pending(asins.begin(), asins.end());
  std::map<std::string, FreshnessReport::Lag> lag;  // latest mismatch per pending product
  std::string last_error;
  const Clock::time_point deadline = Clock::now() + absl::ToChronoMilliseconds(options.timeout);

  while (true) {
    last_error.clear();
    if (!missing.empty()) {
      absl::StatusOr<std::vector<std::string>> found =
          ledger.ExistingReviewIds(std::vector<std::string>(missing.begin(), missing.end()));
      if (found.ok()) {
        for (const std::string& id : *found) missing.erase(id);
      } else {
        last_error = std::string(found.status().message());
      }
    }
    // Counting before every accepted row exists could match a count that is still growing.
    if (missing.empty() && !pending.empty()) {
      absl::StatusOr<std::map<std::string, int64_t>> counts = ledger.ActiveCounts(pending);
      if (!counts.ok()) {
        last_error = std::string(counts.status().message());
      } else {
        std::vector<Answer> answers = fetch(pending);
        std::vector<std::string> still;
        for (size_t i = 0; i < pending.size(); ++i) {
          const std::string& asin = pending[i];
          auto it = counts->find(asin);
          FreshnessReport::Lag l{asin, -1, it == counts->end() ? 0 : it->second, ""};
          const Answer& a = answers[i];
          if (a.code == absl::StatusCode::kOk) {
            l.summary_count = a.view.review_count;
          } else if (a.code == absl::StatusCode::kNotFound) {
            l.summary_count = 0;
          } else {
            l.error = absl::StrCat(CodeName(a.code), ": ", a.message);
          }
          if (l.summary_count == l.db_count) {
            lag.erase(asin);
          } else {
            lag[asin] = std::move(l);
            still.push_back(asin);
          }
        }
        pending = std::move(still);
      }
    }
    const Clock::time_point now = Clock::now();
    if (missing.empty() && pending.empty()) {
      report.state = FreshnessReport::State::kFresh;
      report.fresh_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - last_ok).count();
      return report;
    }
    if (now >= deadline || cancelled()) break;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(options.poll));
  }

  report.reviews_missing = static_cast<int64_t>(missing.size());
  for (const std::string& id : missing) {
    if (report.missing_examples.size() >= options.max_examples) break;
    report.missing_examples.push_back(id);
  }
  report.products_stale = missing.empty() ? static_cast<int64_t>(pending.size()) : 0;
  for (const std::string& asin : pending) {
    if (report.lagging.size() >= options.max_examples) break;
    if (auto it = lag.find(asin); it != lag.end()) report.lagging.push_back(it->second);
  }
  const bool gave_up = cancelled();
  if (!last_error.empty()) {
    report.state = FreshnessReport::State::kError;
    report.message = absl::StrCat("cannot check the read side: ", last_error);
  } else {
    report.state = FreshnessReport::State::kStale;
    report.message = missing.empty() ? absl::StrCat(pending.size(), " of ", asins.size(),
                                                    " products' summaries still "
                                                    "differ from the reviews table")
                                     : absl::StrCat(missing.size(),
                                                    " accepted reviews are not in Postgres (I1)");
    absl::StrAppend(&report.message,
                    gave_up ? " when interrupted"
                            : absl::StrCat(" after ", absl::FormatDuration(options.timeout)));
  }
  return report;
}

}  // namespace candor::drive
