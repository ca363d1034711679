#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/review/review_status.h"
#include "libs/search/search_index.h"

namespace candor::index_writer {

// A stored review as the index needs it: the document, and the status that decides whether it
// belongs in the index (only kActive does: I5).
struct SourceRow {
  search::ReviewDocument document;
  review::ReviewStatus status = review::ReviewStatus::kActive;
};

// One page of active reviews in review-id order; `next_after` is the last id of the page, or
// empty after the last page.
struct SourcePage {
  std::vector<search::ReviewDocument> documents;
  std::string next_after;
};

// Where the index's truth lives (Postgres, through libs/reviewdb). Thread-safe; Unavailable when
// the store cannot be reached.
class ReviewSource {
 public:
  virtual ~ReviewSource() = default;
  // The stored rows of `review_ids` (any status); ids with no row are absent from the answer.
  virtual absl::StatusOr<std::vector<SourceRow>> Read(
      const std::vector<std::string>& review_ids) = 0;
  // Active reviews with a review id greater than `after` ("" for the start), at most `limit`.
  virtual absl::StatusOr<SourcePage> ListActive(const std::string& after, int limit) = 0;
};

}  // namespace candor::index_writer
