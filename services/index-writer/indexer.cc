#include "services/index-writer/indexer.h"

#include <set>
#include <utility>

namespace candor::index_writer {

absl::Status Indexer::Sync(const std::vector<std::string>& review_ids) {
  if (review_ids.empty()) return absl::OkStatus();
  const std::set<std::string> unique(review_ids.begin(), review_ids.end());
  absl::StatusOr<std::vector<SourceRow>> rows =
      source_.Read(std::vector<std::string>(unique.begin(), unique.end()));
  if (!rows.ok()) return rows.status();

  std::vector<search::ReviewDocument> upserts;
  std::set<std::string> gone = unique;  // not active, or not stored
  for (SourceRow& row : *rows) {
    if (row.status != review::ReviewStatus::kActive) continue;
    gone.erase(row.document.review_id);
    upserts.push_back(std::move(row.document));
  }
  if (absl::Status s = index_.Upsert(upserts); !s.ok()) return s;
  if (absl::Status s = index_.Remove(std::vector<std::string>(gone.begin(), gone.end())); !s.ok()) {
    return s;
  }
  if (absl::Status s = index_.Commit(); !s.ok()) return s;
  ++stats_.batches;
  stats_.upserted += static_cast<int64_t>(upserts.size());
  stats_.removed += static_cast<int64_t>(gone.size());
  return absl::OkStatus();
}

}  // namespace candor::index_writer
