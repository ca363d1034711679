#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "libs/search/search_index.h"

namespace candor::search {

// The page cursor every backend hands out: the offset of the next page, bound to the request it
// belongs to (asin, query, filters and sort, not the page size), so a cursor from another search
// or a forged one is INVALID_ARGUMENT rather than a silently wrong page. Opaque to clients.
std::string EncodeCursor(const SearchRequest& request, int64_t offset);

// The offset `request.cursor` stands for (0 when it is empty). INVALID_ARGUMENT "cursor: ..."
// when it is malformed, belongs to another request, or points past kMaxResultWindow.
absl::StatusOr<int64_t> DecodeCursor(const SearchRequest& request);

}  // namespace candor::search
