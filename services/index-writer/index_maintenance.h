#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/search/search_index.h"
#include "services/index-writer/review_source.h"

namespace candor::index_writer {

// What a rebuild wrote.
struct RebuildStats {
  int64_t documents = 0;
  int64_t removed = 0;  // RebuildInPlace: documents of reviews no longer active, deleted
  absl::Duration took;
};

// Rebuilds the Xapian index at `dir` from the store's active reviews (for a lost or corrupt
// index): writes a fresh index beside it (`<dir>.rebuild`), commits every `page` documents, and
// only when every page is in, moves the old directory aside and the new one into place, then
// deletes the old one. index-writer must not be running on `dir` (the write lock). `progress`
// is called after each page with the documents written so far.
absl::StatusOr<RebuildStats> RebuildXapianIndex(ReviewSource& source, const std::string& dir,
                                                int page,
                                                const std::function<void(int64_t)>& progress);

// Rebuilds an index that cannot be swapped as a directory (Elasticsearch) in place: writes every
// active review of the store (pages of `page`, one Commit each: idempotent, the document id is
// the review id), then deletes every document whose review is not active. Searches go on
// meanwhile and see the store's state at the end (I5); a review written or removed during the
// rebuild is the running index-writer's to sync. `progress` as RebuildXapianIndex's.
absl::StatusOr<RebuildStats> RebuildInPlace(ReviewSource& source, search::SearchIndex& index,
                                            int page, const std::function<void(int64_t)>& progress);

// The index against the store (I5: the index holds exactly the active reviews).
struct IndexCheck {
  int64_t active = 0;   // active reviews in the store
  int64_t indexed = 0;  // documents in the index
  int64_t missing = 0;  // active, not in the index
  int64_t extra = 0;    // in the index, not active (held, rejected, removed or not stored)
  std::vector<std::string> examples;  // up to 10 ids of either kind, "missing <id>" / "extra <id>"

  bool clean() const { return missing == 0 && extra == 0; }
};

// Reads every review id in `index` and every active review in `source` (in pages of `page`) and
// counts the difference.
absl::StatusOr<IndexCheck> CheckIndex(ReviewSource& source, search::SearchIndex& index, int page);

}  // namespace candor::index_writer
