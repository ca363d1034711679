#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reviewdb/review_rows.h"
#include "services/review-gateway/executor.h"
#include "services/review-gateway/helpful_ports.h"
#include "services/review-gateway/list_page_cache.h"

namespace candor::gateway {

// A ListReviews request in domain terms (the gRPC layer copies the proto's fields).
struct ListRequest {
  std::string asin{};
  int order = 0;  // candor.review.v1.ReviewOrder: 0 most helpful, 1 newest
  std::vector<int> stars{};
  bool verified_only = false;
  int page_size = 0;  // 0: kDefaultPageSize
  std::string page_token{};
};

// One page and the token of the next (empty after the last page).
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 100;

// The domain step of ListReviews. Most helpful first without filters: the product's cached
// ranking (Redis, one round trip) gives the order of the first positions, the reviews themselves
// come from Postgres (active ones only, so a removed review never shows, I6), and below the
// cache's last member the page continues from Postgres in the same (sort key, review id) order.
// With filters, or newest first, or when the cache does not know the product: Postgres alone.
// Pages are keyset pages: the token holds the last position and the query it belongs to, with a
// checksum, so a token edited or used for another query is refused. Borrows everything.
// Thread-safe.
class ReviewLister {
 public:
  // The page as served: shared with the page cache (never copied on a hit).
  using Answer = ListPageCache::Answer;

  // `pages` (optional, borrowed) answers repeated requests from memory (ListPageCache says how
  // late a page may be). A reload keeps a page built from the ranking alone while the ranking
  // reads the same (one Redis round trip, no Postgres).
  ReviewLister(RankingReader& ranking, ReviewReads& reads, Executor& executor,
               ListPageCache* pages = nullptr)
      : ranking_(ranking), reads_(reads), executor_(executor), pages_(pages) {}

  // `done` gets the page, or: InvalidArgument naming the field (asin; page_size outside 0..100;
  // a star outside 1..5; an unknown order; a page_token this call did not issue for the same
  // query); Unavailable (the stores did not answer, or the executor is full). `done` runs exactly
  // once and must not block.
  void List(const ListRequest& request, Answer done);

 private:
  // The page of a validated query from the stores; `previous` (or null) is answered again
  // when the ranking it was built from alone reads the same.
  void Load(reviewdb::ReviewListQuery query, const ListPageCache::Page& previous, Answer done);
  // `read`: the ranking's first positions for the query (nullopt: not asked, or not known).
  void FromStore(reviewdb::ReviewListQuery query, std::optional<RankedRead> read, Answer done);

  RankingReader& ranking_;
  ReviewReads& reads_;
  Executor& executor_;
  ListPageCache* pages_;
};

// The page token of the position after `last` for `query` (exposed for tests).
std::string EncodePageToken(const reviewdb::ReviewListQuery& query,
                            const reviewdb::ListedReview& last);

// Sets `query`'s keyset position from `token`; InvalidArgument "page_token: ..." when the token
// is malformed, altered, or was issued for another product, order or filter.
absl::Status DecodePageToken(const std::string& token, reviewdb::ReviewListQuery* query);

}  // namespace candor::gateway
