#include "services/index-writer/indexer.h"

#include <map>
#include <set>
#include <utility>

namespace candor::index_writer {

absl::Status Indexer::Apply(const std::vector<std::string>& review_ids,
                            const std::vector<review::ReviewScore>& scores) {
  if (review_ids.empty() && scores.empty()) return absl::OkStatus();
  const std::set<std::string> unique(review_ids.begin(), review_ids.end());

  // The newest score of each ranked review this batch does not sync from the store anyway.
  std::map<std::string, const review::ReviewScore*> newest;
  int64_t unranked = 0;
  for (const review::ReviewScore& score : scores) {
    if (!score.ranked) {
      ++unranked;
      continue;
    }
    if (unique.contains(score.review_id)) continue;
    const review::ReviewScore*& slot = newest[score.review_id];
    if (slot == nullptr || score.scored_at >= slot->scored_at) slot = &score;
  }
  std::vector<search::ScoreUpdate> updates;
  updates.reserve(newest.size());
  for (const auto& [id, score] : newest) {
    search::ScoreUpdate u;
    u.review_id = id;
    u.helpfulness = score->sort_key;
    u.helpful_votes = score->helpful_votes;
    u.total_votes = score->total_votes;
    updates.push_back(std::move(u));
  }

  std::vector<search::ReviewDocument> upserts;
  std::set<std::string> gone = unique;  // not active, or not stored
  if (!unique.empty()) {
    absl::StatusOr<std::vector<SourceRow>> rows =
        source_.Read(std::vector<std::string>(unique.begin(), unique.end()));
    if (!rows.ok()) return rows.status();
    for (SourceRow& row : *rows) {
      if (row.status != review::ReviewStatus::kActive) continue;
      gone.erase(row.document.review_id);
      upserts.push_back(std::move(row.document));
    }
  }
  int64_t applied = 0;
  if (!updates.empty()) {
    absl::StatusOr<int64_t> found = index_.UpdateScores(updates);
    if (!found.ok()) return found.status();
    applied = *found;
  }
  if (absl::Status s = index_.Upsert(upserts); !s.ok()) return s;
  if (absl::Status s = index_.Remove(std::vector<std::string>(gone.begin(), gone.end())); !s.ok()) {
    return s;
  }
  if (absl::Status s = index_.Commit(); !s.ok()) return s;
  ++stats_.batches;
  stats_.upserted += static_cast<int64_t>(upserts.size());
  stats_.removed += static_cast<int64_t>(gone.size());
  stats_.scores_applied += applied;
  stats_.scores_early += static_cast<int64_t>(updates.size()) - applied;
  stats_.scores_unranked += unranked;
  return absl::OkStatus();
}

}  // namespace candor::index_writer
