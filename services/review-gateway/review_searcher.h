#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/search/search_index.h"
#include "services/review-gateway/executor.h"

namespace candor::gateway {

// A SearchReviews request in domain terms (the gRPC layer copies the proto's fields).
struct SearchInput {
  std::string asin{};
  std::string query{};
  std::vector<int> stars{};
  std::optional<bool> verified{};
  std::optional<absl::Time> submitted_from{};
  std::optional<absl::Time> submitted_before{};
  int sort = 0;       // candor.review.v1.SearchSort: 1 relevance, 2 helpfulness, 3 newest
  int page_size = 0;  // 0: kDefaultSearchPageSize
  std::string cursor{};
};

inline constexpr int kDefaultSearchPageSize = 10;

// The domain step of SearchReviews: checks the request (naming the field of the API), then
// searches the index (the SearchIndex port: the embedded Xapian index read-only, or another
// backend) on `executor`, since a search reads the disk and must not hold a gRPC callback
// thread. The recency facets count from `clock`'s now. Borrows everything. Thread-safe.
class ReviewSearcher {
 public:
  using Done = std::function<void(absl::StatusOr<search::SearchResult>)>;

  ReviewSearcher(search::SearchIndex& index, Executor& executor, const core::Clock& clock)
      : index_(index), executor_(executor), clock_(clock) {}

  // `done` gets the page, or: InvalidArgument naming the field (asin; query empty, blank, over
  // 512 bytes, not UTF-8 or with control characters; a star outside 1..5; sort unset or
  // unknown; submitted_from not before submitted_before; page_size outside 0..100; a cursor not
  // issued for this query or past the result window); Unavailable (the index is not there or did
  // not answer, or the executor is full), never Internal. `done` runs exactly once and must not
  // block.
  void Search(const SearchInput& input, Done done);

  // The index request `input` stands for, or InvalidArgument naming the field (exposed for
  // tests and for callers that validate before they queue).
  absl::StatusOr<search::SearchRequest> ToRequest(const SearchInput& input) const;

 private:
  search::SearchIndex& index_;
  Executor& executor_;
  const core::Clock& clock_;
};

}  // namespace candor::gateway
