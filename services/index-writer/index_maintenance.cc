#include "services/index-writer/index_maintenance.h"

#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/search/xapian_index.h"

namespace candor::index_writer {
namespace {

constexpr size_t kMaxExamples = 10;

absl::Status RemoveAll(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot delete ", path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RebuildStats> RebuildXapianIndex(ReviewSource& source, const std::string& dir,
                                                int page,
                                                const std::function<void(int64_t)>& progress) {
  const absl::Time start = absl::Now();
  const std::filesystem::path target(dir);
  const std::filesystem::path fresh = target.string() + ".rebuild";
  const std::filesystem::path old = target.string() + ".old";
  if (absl::Status s = RemoveAll(fresh); !s.ok()) return s;  // a rebuild that died half-way

  RebuildStats stats;
  {
    absl::StatusOr<std::unique_ptr<search::XapianSearchIndex>> index =
        search::XapianSearchIndex::Open(fresh.string(), search::XapianSearchIndex::Mode::kWrite);
    if (!index.ok()) return index.status();
    std::string after;
    do {
      absl::StatusOr<SourcePage> batch = source.ListActive(after, page);
      if (!batch.ok()) return batch.status();
      if (absl::Status s = (*index)->Upsert(batch->documents); !s.ok()) return s;
      if (absl::Status s = (*index)->Commit(); !s.ok()) return s;
      stats.documents += static_cast<int64_t>(batch->documents.size());
      if (progress) progress(stats.documents);
      after = batch->next_after;
    } while (!after.empty());
  }  // closed: the write lock is released before the directories move

  std::error_code ec;
  if (absl::Status s = RemoveAll(old); !s.ok()) return s;
  if (std::filesystem::exists(target, ec)) {
    std::filesystem::rename(target, old, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot move the old index ", dir, " aside: ", ec.message()));
    }
  }
  std::filesystem::rename(fresh, target, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot move the new index into ", dir, ": ",
                                            ec.message(), " (it is complete at ", fresh.string(),
                                            ")"));
  }
  if (absl::Status s = RemoveAll(old); !s.ok()) return s;
  stats.took = absl::Now() - start;
  return stats;
}

absl::StatusOr<RebuildStats> RebuildInPlace(ReviewSource& source, search::SearchIndex& index,
                                            int page,
                                            const std::function<void(int64_t)>& progress) {
  const absl::Time start = absl::Now();
  RebuildStats stats;
  std::set<std::string> active;
  std::string after;
  do {
    absl::StatusOr<SourcePage> batch = source.ListActive(after, page);
    if (!batch.ok()) return batch.status();
    if (absl::Status s = index.Upsert(batch->documents); !s.ok()) return s;
    if (absl::Status s = index.Commit(); !s.ok()) return s;
    for (const search::ReviewDocument& d : batch->documents) active.insert(d.review_id);
    stats.documents += static_cast<int64_t>(batch->documents.size());
    if (progress) progress(stats.documents);
    after = batch->next_after;
  } while (!after.empty());
  std::vector<std::string> stale;
  if (absl::Status s = index.ForEachReviewId([&](std::string_view id) {
        if (!active.contains(std::string(id))) stale.emplace_back(id);
      });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = index.Remove(stale); !s.ok()) return s;
  if (absl::Status s = index.Commit(); !s.ok()) return s;
  stats.removed = static_cast<int64_t>(stale.size());
  stats.took = absl::Now() - start;
  return stats;
}

absl::StatusOr<IndexCheck> CheckIndex(ReviewSource& source, search::SearchIndex& index, int page) {
  std::set<std::string> indexed;
  if (absl::Status s = index.ForEachReviewId([&](std::string_view id) { indexed.emplace(id); });
      !s.ok()) {
    return s;
  }
  IndexCheck check;
  check.indexed = static_cast<int64_t>(indexed.size());
  std::string after;
  do {
    absl::StatusOr<SourcePage> batch = source.ListActive(after, page);
    if (!batch.ok()) return batch.status();
    for (const search::ReviewDocument& d : batch->documents) {
      ++check.active;
      if (indexed.erase(d.review_id) == 0) {
        ++check.missing;
        if (check.examples.size() < kMaxExamples) {
          check.examples.push_back(absl::StrCat("missing ", d.review_id));
        }
      }
    }
    after = batch->next_after;
  } while (!after.empty());
  check.extra = static_cast<int64_t>(indexed.size());
  for (const std::string& id : indexed) {
    if (check.examples.size() >= kMaxExamples) break;
    check.examples.push_back(absl::StrCat("extra ", id));
  }
  return check;
}

}  // namespace candor::index_writer
