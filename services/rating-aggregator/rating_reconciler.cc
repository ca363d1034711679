#include "services/rating-aggregator/rating_reconciler.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/chunks.h"

namespace candor::rating_aggregator {
namespace {

constexpr std::array<const char*, kDriftKinds> kDriftKindNames = {
    "ledger", "unrated", "cache-missing", "cache-behind", "cache-wrong"};

std::string Brief(const review::RatingAggregate& a, bool with_version) {
  std::string out = absl::StrCat("count=", a.count, " sum=", a.sum, " verified=", a.verified_count,
                                 "/", a.verified_sum, " stars=", absl::StrJoin(a.stars, ","));
  if (with_version) absl::StrAppend(&out, " v", a.version);
  return out;
}

std::string DescribeDrift(const Drift& d) {
  std::string head = absl::StrCat(d.asin, " ", DriftKindName(d.kind), ": ");
  switch (d.kind) {
    case DriftKind::kLedger:
      return absl::StrCat(head, "product_ratings ", Brief(*d.stored, true), "; counted reviews ",
                          Brief(*d.counted, false));
    case DriftKind::kUnrated:
      return absl::StrCat(head, "no product_ratings row; counted reviews ",
                          Brief(*d.counted, false));
    case DriftKind::kCacheMissing:
      return absl::StrCat(head, "not in the cache; product_ratings v", d.stored->version);
    case DriftKind::kCacheBehind:
      return absl::StrCat(head, "cache v", d.cached->version, "; product_ratings v",
                          d.stored->version);
    case DriftKind::kCacheWrong:
      if (!d.unreadable.empty()) return absl::StrCat(head, "cache unreadable: ", d.unreadable);
      return absl::StrCat(head, "cache ", Brief(*d.cached, true), "; product_ratings ",
                          Brief(*d.stored, true));
  }
  return head;
}

// How the cache differs from the stored row `d.stored`, or nullopt when it agrees.
std::optional<DriftKind> CacheDrift(const Drift& d) {
  if (!d.unreadable.empty()) return DriftKind::kCacheWrong;
  if (!d.cached.has_value()) {
    // A row at version 0 was never published (its changes netted to nothing).
    if (d.stored->version == 0) return std::nullopt;
    return DriftKind::kCacheMissing;
  }
  if (d.cached->version < d.stored->version) return DriftKind::kCacheBehind;
  if (d.cached->version == d.stored->version && d.cached->SameCounts(*d.stored)) {
    return std::nullopt;
  }
  return DriftKind::kCacheWrong;
}

}  // namespace

const char* DriftKindName(DriftKind kind) { return kDriftKindNames[static_cast<size_t>(kind)]; }

int64_t ReconcileReport::Count(DriftKind kind) const {
  int64_t n = 0;
  for (const Drift& d : drifts) n += d.kind == kind ? 1 : 0;
  return n;
}

std::string DescribeReport(const ReconcileReport& report, int max_lines) {
  std::string out;
  int lines = 0;
  for (const Drift& d : report.drifts) {
    if (lines == max_lines) {
      absl::StrAppend(&out, "... and ", report.drifts.size() - static_cast<size_t>(lines),
                      " more\n");
      break;
    }
    absl::StrAppend(&out, DescribeDrift(d), "\n");
    ++lines;
  }
  std::vector<std::string> kinds;
  kinds.reserve(kDriftKinds);
  for (int k = 0; k < kDriftKinds; ++k) {
    const auto kind = static_cast<DriftKind>(k);
    kinds.push_back(absl::StrCat(DriftKindName(kind), " ", report.Count(kind)));
  }
  absl::StrAppend(&out, "drift: ", report.drifts.size(), " (", absl::StrJoin(kinds, ", "),
                  ") over ", report.products, " products\n");
  return out;
}

RatingReconciler::RatingReconciler(ratings::RatingScan& scan, ratings::RatingStore& store,
                                   LedgerAudit& audit, ratings::RatingCache& cache,
                                   ReconcileOptions options,
                                   std::function<void(absl::Duration)> sleep)
    : scan_(scan),
      store_(store),
      audit_(audit),
      cache_(cache),
      options_(options),
      sleep_(std::move(sleep)) {}

absl::Status RatingReconciler::Compare(
    const std::vector<std::string>& asins,
    const std::vector<std::optional<review::RatingAggregate>>& rows, std::vector<Drift>* out) {
  absl::StatusOr<std::vector<review::RatingAggregate>> sums = audit_.CountedSums(asins);
  if (!sums.ok()) return sums.status();
  std::map<std::string, review::RatingAggregate> counted;
  for (review::RatingAggregate& s : *sums) counted.emplace(s.asin, std::move(s));
  for (size_t i = 0; i < asins.size(); ++i) {
    Drift d;
    d.asin = asins[i];
    d.stored = rows[i];
    auto sum = counted.find(d.asin);
    review::RatingAggregate expected{.asin = d.asin};
    if (sum != counted.end()) expected = sum->second;
    absl::StatusOr<std::optional<review::RatingAggregate>> cached = cache_.Get(d.asin);
    if (cached.ok()) {
      d.cached = *cached;
    } else if (cached.status().code() == absl::StatusCode::kDataLoss) {
      d.unreadable = std::string(cached.status().message());
    } else {
      return cached.status();
    }
    if (!d.stored.has_value()) {
      // Without a row there is nothing for the cache to copy; only counted reviews are drift.
      if (sum == counted.end()) continue;
      d.kind = DriftKind::kUnrated;
      d.counted = expected;
    } else if (!d.stored->SameCounts(expected)) {
      d.kind = DriftKind::kLedger;
      d.counted = expected;
    } else if (std::optional<DriftKind> kind = CacheDrift(d); kind.has_value()) {
      d.kind = *kind;
    } else {
      continue;
    }
    out->push_back(std::move(d));
  }
  return absl::OkStatus();
}

absl::StatusOr<ReconcileReport> RatingReconciler::Check(
    const std::function<void(int64_t)>& progress) {
  ReconcileReport report;
  std::vector<Drift> candidates;
  std::string cursor;
  do {
    absl::StatusOr<ratings::RatingPage> page = scan_.ListAll(cursor, options_.page_size);
    if (!page.ok()) return page.status();
    std::vector<std::string> asins;
    std::vector<std::optional<review::RatingAggregate>> rows;
    asins.reserve(page->aggregates.size());
    rows.reserve(page->aggregates.size());
    for (review::RatingAggregate& a : page->aggregates) {
      asins.push_back(a.asin);
      rows.emplace_back(std::move(a));
    }
    if (absl::Status s = Compare(asins, rows, &candidates); !s.ok()) return s;
    report.products += static_cast<int64_t>(asins.size());
    if (progress) progress(report.products);
    cursor = page->next;
  } while (!cursor.empty());

  absl::StatusOr<std::vector<std::string>> unrated =
      audit_.UnratedCountedAsins(options_.unrated_limit);
  if (!unrated.ok()) return unrated.status();
  for (const std::vector<std::string>& chunk : core::Chunks(*unrated, Page())) {
    std::vector<std::optional<review::RatingAggregate>> none(chunk.size());
    if (absl::Status s = Compare(chunk, none, &candidates); !s.ok()) return s;
  }

  report.candidates = static_cast<int64_t>(candidates.size());
  if (candidates.empty() || options_.settle <= absl::ZeroDuration()) {
    report.drifts = std::move(candidates);
    return report;
  }
  // The re-check reads each candidate afresh: a difference the aggregator was about to close
  // (its Redis write follows its commit) is gone by now; one that persists is drift.
  sleep_(options_.settle);
  std::vector<std::string> again;
  again.reserve(candidates.size());
  for (const Drift& d : candidates) again.push_back(d.asin);
  for (const std::vector<std::string>& chunk : core::Chunks(again, Page())) {
    std::vector<std::optional<review::RatingAggregate>> rows;
    rows.reserve(chunk.size());
    for (const std::string& asin : chunk) {
      absl::StatusOr<std::optional<review::RatingAggregate>> row = store_.Get(asin);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    if (absl::Status s = Compare(chunk, rows, &report.drifts); !s.ok()) return s;
  }
  return report;
}

absl::StatusOr<int64_t> RatingReconciler::Repair(const ReconcileReport& report) {
  // Wrong values (in the row, or in the cache at the row's version or past it): recount, with a
  // version past both copies. Only missing or behind in the cache: the row as it stands now.
  std::vector<std::string> recount;
  std::vector<int64_t> min_versions;
  std::vector<std::string> rewrite;
  std::set<std::string> drop;  // unreadable: dropped before the write
  for (const Drift& d : report.drifts) {
    if (d.kind == DriftKind::kCacheMissing || d.kind == DriftKind::kCacheBehind) {
      rewrite.push_back(d.asin);
      continue;
    }
    recount.push_back(d.asin);
    min_versions.push_back(d.cached.has_value() ? d.cached->version : 0);
    if (!d.unreadable.empty()) drop.insert(d.asin);
  }
  int64_t repaired = 0;
  const std::vector<std::vector<std::string>> recount_chunks = core::Chunks(recount, Page());
  const std::vector<std::vector<int64_t>> version_chunks = core::Chunks(min_versions, Page());
  for (size_t i = 0; i < recount_chunks.size(); ++i) {
    absl::StatusOr<std::vector<review::RatingAggregate>> fresh =
        audit_.Recount(recount_chunks[i], version_chunks[i]);
    if (!fresh.ok()) return fresh.status();
    if (absl::Status s = Publish(*fresh, drop); !s.ok()) return s;
    repaired += static_cast<int64_t>(fresh->size());
  }
  for (const std::vector<std::string>& chunk : core::Chunks(rewrite, Page())) {
    std::vector<review::RatingAggregate> rows;
    rows.reserve(chunk.size());
    for (const std::string& asin : chunk) {
      absl::StatusOr<std::optional<review::RatingAggregate>> row = store_.Get(asin);
      if (!row.ok()) return row.status();
      if (row->has_value()) rows.push_back(**row);
    }
    if (absl::Status s = Publish(rows, drop); !s.ok()) return s;
    repaired += static_cast<int64_t>(rows.size());
  }
  return repaired;
}

absl::Status RatingReconciler::Publish(const std::vector<review::RatingAggregate>& aggregates,
                                       const std::set<std::string>& drop) {
  for (const review::RatingAggregate& a : aggregates) {
    if (!drop.contains(a.asin)) continue;
    if (absl::Status s = cache_.Drop(a.asin); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<bool>> stored = cache_.PutMany(aggregates);
  if (!stored.ok()) return stored.status();
  for (size_t i = 0; i < aggregates.size(); ++i) {
    if ((*stored)[i]) continue;
    // Not stored: the cache holds this version or a newer one. Normally the aggregator's newer
    // write; but an entry that still reads as absent or wrong is a partial hash whose version
    // blocks the write: drop it and write again.
    absl::StatusOr<std::optional<review::RatingAggregate>> now = cache_.Get(aggregates[i].asin);
    if (now.ok() && now->has_value() && (*now)->version >= aggregates[i].version) continue;
    if (absl::Status s = cache_.Drop(aggregates[i].asin); !s.ok()) return s;
    absl::StatusOr<bool> again = cache_.Put(aggregates[i]);
    if (!again.ok()) return again.status();
  }
  return absl::OkStatus();
}

}  // namespace candor::rating_aggregator
