#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/search/search_index.h"
#include "libs/search/xapian_index.h"

namespace candor::search {

// The search side of the embedded index for a server: up to `handles` read-only
// XapianSearchIndex handles on one directory, so that as many searches run at once (one
// XapianSearchIndex serialises its calls). A search takes a free handle, or opens one while
// fewer than `handles` exist, or waits for one.
//
// The directory may not exist yet (the server started before index-writer created it): searches
// then answer UNAVAILABLE naming the directory, and the pool tries again at the next search. A
// directory that exists but is not a readable index is refused by Open (DATA_LOSS naming the
// rebuild command), so a corrupt index stops the server at start.
//
// Read-only: the writes of SearchIndex answer FAILED_PRECONDITION. Thread-safe.
class XapianReaderPool final : public SearchIndex {
 public:
  // `handles` >= 1. Opens one handle now when `dir` exists (DATA_LOSS / FAILED_PRECONDITION as
  // XapianSearchIndex::Open); a missing `dir` is not an error here (see above).
  static absl::StatusOr<std::unique_ptr<XapianReaderPool>> Open(const std::string& dir,
                                                                int handles);

  absl::Status Upsert(const std::vector<ReviewDocument>& documents) override;
  absl::Status Remove(const std::vector<std::string>& review_ids) override;
  absl::StatusOr<int64_t> UpdateScores(const std::vector<ScoreUpdate>& updates) override;
  absl::Status Commit() override;
  // As XapianSearchIndex::Search; UNAVAILABLE while the directory does not exist.
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) override;
  absl::Status ForEachReviewId(const std::function<void(std::string_view)>& fn) override;
  absl::StatusOr<int64_t> DocumentCount() override;

 private:
  XapianReaderPool(std::string dir, int handles) : dir_(std::move(dir)), max_(handles) {}

  // A handle for one call: a free one, a new one, or the next one given back.
  absl::StatusOr<std::unique_ptr<XapianSearchIndex>> Acquire();
  void Release(std::unique_ptr<XapianSearchIndex> handle);

  template <typename Fn>
  auto WithHandle(Fn&& fn) -> decltype(fn(std::declval<XapianSearchIndex&>()));

  const std::string dir_;
  const int max_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<XapianSearchIndex>> free_;
  int open_ = 0;  // handles that exist (free or in use) or are being opened
};

}  // namespace candor::search
