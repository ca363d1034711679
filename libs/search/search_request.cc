#include "libs/search/search_request.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/review/validation.h"

namespace candor::search {
namespace {

constexpr char kCursorVersion[] = "c1";

// FNV-1a over the request's identity, stable across processes and builds (a cursor may come
// back to another gateway replica).
uint64_t Fingerprint(const SearchRequest& r) {
  std::string canonical =
      absl::StrCat(r.asin, "\x1f", r.query, "\x1f", static_cast<int>(r.sort), "\x1f",
                   r.verified ? (*r.verified ? "v" : "u") : "-", "\x1f");
  for (int32_t s : r.stars) absl::StrAppend(&canonical, s, ",");
  absl::StrAppend(&canonical, "\x1f", r.from ? absl::ToUnixNanos(*r.from) : -1, "\x1f",
                  r.to ? absl::ToUnixNanos(*r.to) : -1);
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : canonical) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

absl::Status ValidateReviewDocuments(const std::vector<ReviewDocument>& documents) {
  for (const ReviewDocument& d : documents) {
    if (absl::Status s = review::ValidateReviewIdFormat(d.review_id); !s.ok()) return s;
    if (absl::Status s = review::ValidateAsin(d.asin); !s.ok()) return s;
    if (absl::Status s = review::ValidateRating("rating", d.rating); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateSearchRequest(const SearchRequest& r) {
  if (absl::Status s = review::ValidateAsin(r.asin); !s.ok()) return s;
  if (r.query.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: at most ", kMaxQueryBytes, " bytes, got ", r.query.size()));
  }
  if (absl::Status s = review::CheckText("query", r.query, review::TextKind::kIdentifier);
      !s.ok()) {
    return s;
  }
  for (int32_t star : r.stars) {
    if (absl::Status s = review::ValidateStarFilter(star); !s.ok()) return s;
  }
  if (r.from && r.to && *r.from >= *r.to) {
    return absl::InvalidArgumentError("from: must be before to");
  }
  if (r.page_size < 1 || r.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1..", kMaxPageSize, ", got ", r.page_size));
  }
  return absl::OkStatus();
}

std::string EncodeCursor(const SearchRequest& request, int64_t offset) {
  return absl::StrFormat("%s-%x-%016x", kCursorVersion, offset, Fingerprint(request));
}

absl::StatusOr<int64_t> DecodeCursor(const SearchRequest& request) {
  if (request.cursor.empty()) return 0;
  std::vector<absl::string_view> parts = absl::StrSplit(request.cursor, '-');
  uint64_t offset = 0, fingerprint = 0;
  if (parts.size() != 3 || parts[0] != kCursorVersion || parts[1].empty() || parts[1].size() > 8 ||
      parts[2].size() != 16 || !absl::SimpleHexAtoi(parts[1], &offset) ||
      !absl::SimpleHexAtoi(parts[2], &fingerprint)) {
    return absl::InvalidArgumentError("cursor: malformed (pass back a next_cursor unchanged)");
  }
  if (fingerprint != Fingerprint(request)) {
    return absl::InvalidArgumentError(
        "cursor: belongs to another search (the product, query, filters and sort must stay the "
        "same between pages)");
  }
  if (offset >= static_cast<uint64_t>(kMaxResultWindow)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cursor: past the first ", kMaxResultWindow, " results; narrow the search"));
  }
  return static_cast<int64_t>(offset);
}

}  // namespace candor::search
