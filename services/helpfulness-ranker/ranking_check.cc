#include "services/helpfulness-ranker/ranking_check.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/chunks.h"

namespace candor::helpfulness_ranker {
namespace {

// Reviews per Ranker::Repair call (one ledger transaction each).
constexpr size_t kRepairBatch = 5000;

// A key as the lines print it: every digit, so two keys that differ never print alike.
std::string Key(double key) { return absl::StrFormat("%.17g", key); }

}  // namespace

std::string DriftReport::Summary() const {
  return absl::StrFormat("drift: %d (counts %d, sort keys %d, cache %d) over %d products", total(),
                         counts, sort_keys, cache, products);
}

absl::StatusOr<DriftReport> RankingCheck::Check() {
  DriftReport report;
  std::vector<Finding> first;
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<std::string>> asins =
        audit_.ListProducts(options_.asin_prefix, after, options_.page);
    if (!asins.ok()) return asins.status();
    report.products += static_cast<int64_t>(asins->size());
    if (absl::Status s = CheckProducts(*asins, &first); !s.ok()) return s;
    if (static_cast<int>(asins->size()) < options_.page) break;
    after = asins->back();
  }
  std::vector<Finding> persisting;
  if (options_.settle <= absl::ZeroDuration()) {
    persisting = std::move(first);  // a settle time of zero compares once
  } else if (!first.empty()) {
    // A write of the ranker may have been between its commit and the cache (or between two of
    // these reads): look at those products once more after it has had time to land.
    std::set<std::string> differed;
    for (const Finding& f : first) differed.insert(f.asin);
    options_.sleep(options_.settle);
    const std::vector<std::string> again(differed.begin(), differed.end());
    for (const std::vector<std::string>& slice :
         core::Chunks(again, static_cast<size_t>(options_.page))) {
      if (absl::Status s = CheckProducts(slice, &persisting); !s.ok()) return s;
    }
  }
  for (const Finding& f : persisting) {
    switch (f.kind) {
      case Kind::kCounts:
        ++report.counts;
        break;
      case Kind::kSortKey:
        ++report.sort_keys;
        break;
      case Kind::kCache:
        ++report.cache;
        report.cache_asins.insert(f.asin);
        break;
    }
    if (!f.review_id.empty()) report.review_ids.insert(f.review_id);
    if (report.examples.size() < options_.max_examples) report.examples.push_back(f.line);
  }
  return report;
}

absl::Status RankingCheck::CheckProducts(const std::vector<std::string>& asins,
                                         std::vector<Finding>* out) {
  if (asins.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> counts = audit_.VoteCounts(asins);
  if (!counts.ok()) return counts.status();
  absl::StatusOr<std::vector<reviewdb::RankedReview>> ranks = audit_.Ranks(asins);
  if (!ranks.ok()) return ranks.status();
  std::map<std::string, const reviewdb::RankedReview*> rows;
  for (const reviewdb::RankedReview& r : *ranks) rows[r.review_id] = &r;

  // 1. I4.
  std::map<std::string, std::pair<int64_t, int64_t>> ledger;
  for (const reviewdb::VoteCountCheck& c : *counts) {
    ledger[c.review_id] = {c.ledger_helpful, c.ledger_total};
    if (c.row_helpful == c.ledger_helpful && c.row_total == c.ledger_total) continue;
    auto row = rows.find(c.review_id);
    const std::string asin = row == rows.end() ? "" : row->second->asin;
    out->push_back(
        {Kind::kCounts, asin, c.review_id,
         absl::StrFormat("counts   %s %s: review_ranks %d/%d, ledger %d/%d", asin, c.review_id,
                         c.row_helpful, c.row_total, c.ledger_helpful, c.ledger_total)});
  }
  // 2. The stored keys, against the key of the ledger's counts.
  for (const reviewdb::RankedReview& r : *ranks) {
    std::optional<double> want;
    if (r.status == review::ReviewStatus::kActive) {
      reviewdb::RankedReview counted = r;
      std::tie(counted.helpful_votes, counted.total_votes) = ledger[r.review_id];
      want = SortKeyOf(counted, params_);
    }
    if (r.sort_key == want) continue;
    std::string line;
    if (!want) {
      line = absl::StrFormat("sort key %s %s: %s review still ranked with key %s (I6)", r.asin,
                             r.review_id, review::StatusName(r.status), Key(*r.sort_key));
    } else {
      line = absl::StrFormat("sort key %s %s: stored %s, should be %s", r.asin, r.review_id,
                             r.sort_key ? Key(*r.sort_key) : "none", Key(*want));
    }
    out->push_back({Kind::kSortKey, r.asin, r.review_id, std::move(line)});
  }
  // 3. The cache.
  for (const std::string& asin : asins) {
    if (absl::Status s = CheckCache(asin, rows, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RankingCheck::CheckCache(
    const std::string& asin, const std::map<std::string, const reviewdb::RankedReview*>& rows,
    std::vector<Finding>* out) {
  absl::StatusOr<std::optional<CachedRanking>> entry = cache_.Read(asin);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return absl::OkStatus();  // unknown: rebuilt when next touched
  const CachedRanking& cached = **entry;
  // One more than the set could hold: a review of Postgres's above the floor that the set lacks
  // shows even when the set is full.
  const int limit = std::max(top_n_, static_cast<int>(cached.members.size())) + 1;
  absl::StatusOr<std::vector<std::pair<double, std::string>>> top = ledger_.TopRanked(asin, limit);
  if (!top.ok()) return top.status();
  std::map<std::string, double> want;
  for (const auto& [key, id] : *top) {
    if (!cached.floor || std::make_pair(key, id) > *cached.floor) want[id] = key;
  }
  const std::string set = absl::StrCat("helpful:{", asin, "}");
  std::map<std::string, double> have;
  for (const auto& [key, id] : cached.members) have[id] = key;
  for (const auto& [id, key] : have) {
    auto w = want.find(id);
    std::string line;
    if (w == want.end()) {
      auto row = rows.find(id);
      if (row != rows.end() && row->second->status != review::ReviewStatus::kActive) {
        line = absl::StrFormat("cache    %s %s: %s review in %s (I6)", asin, id,
                               review::StatusName(row->second->status), set);
      } else {
        line = absl::StrFormat("cache    %s %s: in %s with key %s, not ranked above its floor",
                               asin, id, set, Key(key));
      }
    } else if (w->second != key) {
      line = absl::StrFormat("cache    %s %s: key %s in %s, %s in Postgres", asin, id, Key(key),
                             set, Key(w->second));
    } else {
      continue;
    }
    out->push_back({Kind::kCache, asin, id, std::move(line)});
  }
  for (const auto& [id, key] : want) {
    if (have.contains(id)) continue;
    out->push_back({Kind::kCache, asin, id,
                    absl::StrFormat("cache    %s %s: missing from %s (key %s in Postgres)", asin,
                                    id, set, Key(key))});
  }
  return absl::OkStatus();
}

absl::StatusOr<RankingCheck::Repaired> RankingCheck::Repair(Ranker& ranker) {
  Repaired out;
  absl::StatusOr<DriftReport> before = Check();
  if (!before.ok()) return before.status();
  out.before = *std::move(before);
  if (out.before.clean()) {
    out.after = out.before;
    return out;
  }
  const std::vector<std::string> ids(out.before.review_ids.begin(), out.before.review_ids.end());
  for (const std::vector<std::string>& batch : core::Chunks(ids, kRepairBatch)) {
    if (absl::Status s = ranker.Repair(batch, {}); !s.ok()) return s;
  }
  // After the reviews, so each product is rebuilt from the ledger as the repair left it.
  const std::vector<std::string> asins(out.before.cache_asins.begin(),
                                       out.before.cache_asins.end());
  if (absl::Status s = ranker.Repair({}, asins); !s.ok()) return s;
  absl::StatusOr<DriftReport> after = Check();
  if (!after.ok()) return after.status();
  out.after = *std::move(after);
  return out;
}

}  // namespace candor::helpfulness_ranker
