#include "services/review-gateway/review_lister.h"

#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/error.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace candor::gateway {
namespace {

using reviewdb::ListedReview;
using reviewdb::ReviewListQuery;
using reviewdb::ReviewOrder;

absl::Status Unavailable(const absl::Status& cause) {
  return core::WithInternalDetail(absl::UnavailableError("reviews unavailable; safe to retry"),
                                  cause.ToString());
}

// What a token is bound to: the product, the order and the filters.
std::string QueryText(const ReviewListQuery& q) {
  return absl::StrCat(q.asin, ".", q.order == ReviewOrder::kNewest ? "n" : "h", ".",
                      static_cast<int>(q.stars_mask), ".", q.verified_only ? "v" : "a");
}

// 16 hex digits of SHA-256: catches an edited or truncated token. Not a secret: a token forged
// with a valid checksum only names a position in the same query's order, which reveals nothing.
std::string Checksum(std::string_view payload) { return review::Sha256Hex(payload).substr(0, 16); }

absl::Status BadToken(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

// The same ranking read: the same members in the same order with the same keys.
bool SameRanking(const RankedRead& a, const RankedRead& b) {
  if (a.complete != b.complete || a.entries.size() != b.entries.size()) return false;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    // Exact: the ranker writes a review's key anew whenever its counts move it.
    if (a.entries[i].review_id != b.entries[i].review_id ||
        a.entries[i].sort_key != b.entries[i].sort_key) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string EncodePageToken(const ReviewListQuery& query, const ListedReview& last) {
  const std::string position = query.order == ReviewOrder::kNewest
                                   ? absl::StrCat(absl::ToUnixMicros(last.submitted_at))
                                   : absl::StrFormat("%.17g", last.sort_key.value_or(0.0));
  const std::string payload = absl::StrCat(QueryText(query), ".", position, ".", last.review_id);
  return absl::WebSafeBase64Escape(absl::StrCat(payload, ".", Checksum(payload)));
}

absl::Status DecodePageToken(const std::string& token, ReviewListQuery* query) {
  std::string text;
  if (token.size() > 512 || !absl::WebSafeBase64Unescape(token, &text)) {
    return BadToken("not a token this API issued");
  }
  const size_t dot = text.rfind('.');
  if (dot == std::string::npos || Checksum(text.substr(0, dot)) != text.substr(dot + 1)) {
    return BadToken("malformed or altered");
  }
  // query (4 fields) . position . review id: a most-helpful position is a decimal number that
  // has dots of its own ("37.119999999999997", "1.5e-05"), so it is what lies between the fourth
  // dot and the last.
  std::vector<std::string> parts = absl::StrSplit(text.substr(0, dot), '.');
  if (parts.size() < 6) return BadToken("malformed or altered");
  const std::string issued_for =
      absl::StrCat(parts[0], ".", parts[1], ".", parts[2], ".", parts[3]);
  if (issued_for != QueryText(*query)) {
    return BadToken("issued for another product, order or filter");
  }
  const std::string id = parts.back();
  parts[4] = absl::StrJoin(parts.begin() + 4, parts.end() - 1, ".");
  if (!review::ValidateReviewIdFormat(id).ok()) return BadToken("malformed or altered");
  if (query->order == ReviewOrder::kNewest) {
    int64_t micros = 0;
    if (!absl::SimpleAtoi(parts[4], &micros)) return BadToken("malformed or altered");
    query->after_time = {absl::FromUnixMicros(micros), id};
  } else {
    double key = 0;
    if (!absl::SimpleAtod(parts[4], &key) || !std::isfinite(key)) {
      return BadToken("malformed or altered");
    }
    query->after_key = {key, id};
  }
  return absl::OkStatus();
}

void ReviewLister::List(const ListRequest& request, Answer done) {
  if (absl::Status s = review::ValidateAsin(request.asin); !s.ok()) {
    done(std::move(s));
    return;
  }
  if (request.page_size < 0 || request.page_size > kMaxPageSize) {
    done(absl::InvalidArgumentError(absl::StrCat("page_size: must be 0..", kMaxPageSize, " (0: ",
                                                 kDefaultPageSize, "), got ", request.page_size)));
    return;
  }
  if (request.order != 0 && request.order != 1) {
    done(absl::InvalidArgumentError(
        absl::StrCat("order: must be MOST_HELPFUL (0) or NEWEST (1), got ", request.order)));
    return;
  }
  ReviewListQuery query;
  query.asin = request.asin;
  query.order = request.order == 1 ? ReviewOrder::kNewest : ReviewOrder::kMostHelpful;
  for (int star : request.stars) {
    if (absl::Status s = review::ValidateStarFilter(star); !s.ok()) {
      done(std::move(s));
      return;
    }
    query.stars_mask |= static_cast<uint8_t>(1U << (star - 1));
  }
  query.verified_only = request.verified_only;
  query.limit = request.page_size == 0 ? kDefaultPageSize : request.page_size;
  if (!request.page_token.empty()) {
    if (absl::Status s = DecodePageToken(request.page_token, &query); !s.ok()) {
      done(std::move(s));
      return;
    }
  }
  if (pages_ == nullptr) {
    Load(std::move(query), nullptr, std::move(done));
    return;
  }
  // The key is the query as validated (the token's position included), so two spellings of one
  // request share a page and a token can only name a page of its own query.
  std::string key = absl::StrCat(QueryText(query), ".", query.limit, ".", request.page_token);
  pages_->Get(
      key,
      [this, query = std::move(query)](const ListPageCache::Page& previous, Answer loaded) mutable {
        Load(query, previous, std::move(loaded));
      },
      std::move(done));
}

void ReviewLister::Load(ReviewListQuery query, const ListPageCache::Page& previous, Answer done) {
  const bool cached_order =
      query.order == ReviewOrder::kMostHelpful && query.stars_mask == 0 && !query.verified_only;
  if (!cached_order) {
    FromStore(std::move(query), std::nullopt, std::move(done));
    return;
  }
  ranking_.Read(
      query.asin, query.limit, query.after_key,
      [this, query, previous, done](absl::StatusOr<std::optional<RankedRead>> cached) mutable {
        // A cache that cannot answer costs speed, not the page: Postgres has it all.
        std::optional<RankedRead> read;
        if (cached.ok()) read = *std::move(cached);
        // The page was built from this ranking alone, and it has not moved: the page stands.
        if (previous != nullptr && previous->ranking.has_value() && read.has_value() &&
            SameRanking(*previous->ranking, *read)) {
          done(previous);
          return;
        }
        FromStore(std::move(query), std::move(read), std::move(done));
      });
}

void ReviewLister::FromStore(ReviewListQuery query, std::optional<RankedRead> read, Answer done) {
  const bool queued =
      executor_.TrySubmit([this, query = std::move(query), read = std::move(read), done]() mutable {
        const std::vector<RankedEntry> no_entries;
        const std::vector<RankedEntry>& cached = read.has_value() ? read->entries : no_entries;
        const bool cache_complete = read.has_value() && read->complete;
        ListPage page;
        int positions = 0;  // positions of the order this page consumed
        ListedReview last;
        if (!cached.empty()) {
          std::vector<std::string> ids;
          ids.reserve(cached.size());
          for (const RankedEntry& e : cached) ids.push_back(e.review_id);
          absl::StatusOr<std::vector<ListedReview>> cards = reads_.Cards(ids);
          if (!cards.ok()) {
            done(Unavailable(cards.status()));
            return;
          }
          std::map<std::string, ListedReview*> by_id;
          for (ListedReview& c : *cards) by_id[c.review_id] = &c;
          for (const RankedEntry& e : cached) {
            ++positions;
            last.review_id = e.review_id;
            last.sort_key = e.sort_key;
            // Not active any more (removed since the ranker last ran): never shown (I6).
            if (auto it = by_id.find(e.review_id); it != by_id.end()) {
              page.reviews.push_back(std::move(*it->second));
            }
          }
          query.after_key = {cached.back().sort_key, cached.back().review_id};
        }
        // The rest of the page from Postgres, unless the cache holds the whole order (a product
        // with at most --top-n ranked reviews): then there is no rest, and no query.
        const bool rest_from_store = positions < query.limit && !cache_complete;
        if (rest_from_store) {
          const int want = query.limit - positions;
          ReviewListQuery rest = query;
          rest.limit = want;
          absl::StatusOr<std::vector<ListedReview>> rows = reads_.List(rest);
          if (!rows.ok()) {
            done(Unavailable(rows.status()));
            return;
          }
          for (ListedReview& r : *rows) {
            ++positions;
            last = r;
            page.reviews.push_back(std::move(r));
          }
        }
        if (positions == query.limit) page.next_page_token = EncodePageToken(query, last);
        // Built from the ranking alone: a reload that reads the same ranking may keep the page.
        if (!rest_from_store) page.ranking = std::move(read);
        done(std::make_shared<const ListPage>(std::move(page)));
      });
  if (!queued) done(absl::UnavailableError("review store busy; safe to retry"));
}

}  // namespace candor::gateway
