#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/review/helpful_vote.h"
#include "libs/search/search_index.h"
#include "services/index-writer/review_source.h"

namespace candor::index_writer {

// Counters for the stats line and the metrics. Written by the consume loop's thread, readable
// from any thread.
struct IndexerStats {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> upserted{0};        // documents written (added or replaced)
  std::atomic<int64_t> removed{0};         // documents deleted (a review not active, or not stored)
  std::atomic<int64_t> scores_applied{0};  // review-scores changed in indexed documents
  // Scores for reviews not (yet) indexed: the review's own upsert reads them from the store.
  std::atomic<int64_t> scores_early{0};
  std::atomic<int64_t> scores_unranked{0};  // `ranked` false: the review's own events delete it
};

// index-writer's domain: makes the index's document of each named review match the review's
// stored state, whatever the events said and in whatever order they came. A review that is
// active in the store is written (added, or replaced: the same review twice is one document); any
// other review (held, rejected, removed, or not stored) is deleted. One Commit per call, so a
// batch becomes searchable at once. Idempotent, so redelivered events are harmless, and an
// acceptance and a removal in one batch end as the store says. Not thread-safe (one consume
// loop); borrows `source` and `index`.
class Indexer {
 public:
  Indexer(ReviewSource& source, search::SearchIndex& index) : source_(source), index_(index) {}

  // The store's Unavailable, or the index's error, leaves the index as the last Commit left it
  // (the loop hands the batch in again).
  absl::Status Sync(const std::vector<std::string>& review_ids) { return Apply(review_ids, {}); }

  // One batch of both topics, one Commit: the helpfulness of `scores` (review-scores, newest
  // scored_at per review) goes into the documents already indexed (SearchIndex::UpdateScores),
  // then the reviews `review_ids` name are synced with the store as Sync does. Either order of a
  // review and its score works: a score for a review not yet indexed is skipped, and the
  // review's upsert later reads the ranker's counts and key from its row; a review synced in
  // this batch takes the store's values, which are at least as new as any score in it. A score
  // with `ranked` false changes nothing (the review's Removed event deletes the document).
  // Errors as Sync.
  absl::Status Apply(const std::vector<std::string>& review_ids,
                     const std::vector<review::ReviewScore>& scores);

  const IndexerStats& stats() const { return stats_; }

 private:
  ReviewSource& source_;
  search::SearchIndex& index_;
  IndexerStats stats_;
};

}  // namespace candor::index_writer
