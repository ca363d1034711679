#include "services/review-gateway/review_searcher.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/error.h"
#include "libs/review/validation.h"
#include "libs/search/search_request.h"

namespace candor::gateway {
namespace {

using search::SortOrder;

absl::StatusOr<SortOrder> SortOf(int sort) {
  switch (sort) {
    case 1:
      return SortOrder::kRelevance;
    case 2:
      return SortOrder::kHelpfulness;
    case 3:
      return SortOrder::kNewest;
    case 0:
      return absl::InvalidArgumentError(
          "sort: required (SEARCH_SORT_RELEVANCE, SEARCH_SORT_HELPFULNESS or SEARCH_SORT_NEWEST)");
    default:
      return absl::InvalidArgumentError(absl::StrCat("sort: unknown value ", sort));
  }
}

// What the client may see of an index failure: its request was fine, the index was not. The
// cause (a directory, Xapian's words) stays in the log.
absl::Status Unavailable(const absl::Status& cause) {
  if (absl::IsUnavailable(cause)) return cause;
  return core::WithInternalDetail(absl::UnavailableError("search index unavailable; safe to retry"),
                                  cause.ToString());
}

}  // namespace

absl::StatusOr<search::SearchRequest> ReviewSearcher::ToRequest(const SearchInput& in) const {
  if (absl::Status s = review::ValidateAsin(in.asin); !s.ok()) return s;
  // The index lists a product's reviews for an empty query; a shopper's search needs words
  // (ListReviews is the listing).
  if (in.query.empty()) return absl::InvalidArgumentError("query: required");
  search::SearchRequest r;
  r.asin = in.asin;
  r.query = in.query;
  if (absl::Status s = search::ValidateSearchRequest(r); !s.ok()) return s;  // length, UTF-8
  if (review::IsBlank(in.query)) {
    return absl::InvalidArgumentError("query: must hold a word, got only white space");
  }
  for (int star : in.stars) {
    if (absl::Status s = review::ValidateStarFilter(star); !s.ok()) return s;
    r.stars.push_back(star);
  }
  r.verified = in.verified;
  if (in.submitted_from && in.submitted_before && *in.submitted_from >= *in.submitted_before) {
    return absl::InvalidArgumentError("submitted_from: must be before submitted_before");
  }
  r.from = in.submitted_from;
  r.to = in.submitted_before;
  absl::StatusOr<SortOrder> sort = SortOf(in.sort);
  if (!sort.ok()) return sort.status();
  r.sort = *sort;
  if (in.page_size < 0 || in.page_size > search::kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be 0..", search::kMaxPageSize,
                                                   " (0: ", kDefaultSearchPageSize, "), got ",
                                                   in.page_size));
  }
  r.page_size = in.page_size == 0 ? kDefaultSearchPageSize : in.page_size;
  r.cursor = in.cursor;
  r.now = clock_.Now();
  if (absl::Status s = search::ValidateSearchRequest(r); !s.ok()) return s;
  // Checked here, before a thread is taken: a bad cursor costs nothing.
  if (absl::StatusOr<int64_t> offset = search::DecodeCursor(r); !offset.ok()) {
    return offset.status();
  }
  return r;
}

void ReviewSearcher::Search(const SearchInput& input, Done done) {
  absl::StatusOr<search::SearchRequest> request = ToRequest(input);
  if (!request.ok()) {
    done(request.status());
    return;
  }
  const bool queued = executor_.TrySubmit([this, request = *std::move(request), done]() {
    absl::StatusOr<search::SearchResult> result = index_.Search(request);
    if (!result.ok() && !absl::IsInvalidArgument(result.status())) {
      done(Unavailable(result.status()));
      return;
    }
    done(std::move(result));
  });
  if (!queued) done(absl::UnavailableError("search busy; safe to retry"));
}

}  // namespace candor::gateway
