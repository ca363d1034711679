#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/search/search_index.h"
#include "services/index-writer/review_source.h"

namespace candor::index_writer {

struct IndexerStats {
  int64_t batches = 0;
  int64_t upserted = 0;  // documents written (added or replaced)
  int64_t removed = 0;   // documents deleted (a review not active, or not stored)
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
  absl::Status Sync(const std::vector<std::string>& review_ids);

  const IndexerStats& stats() const { return stats_; }

 private:
  ReviewSource& source_;
  search::SearchIndex& index_;
  IndexerStats stats_;
};

}  // namespace candor::index_writer
