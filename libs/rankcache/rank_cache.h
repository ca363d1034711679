#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/redis/redis_client.h"

// The Redis contract of the helpfulness ranking, in one home: its keys and the scripts that
// write (helpfulness-ranker) and read (review-gateway's ListReviews) them.
//
// Per product two keys, both in the product's hash slot (libs/redis/hash_tag.h):
//   helpful:{asin}        a sorted set: review id -> sort key (libs/helpfulness SortKey, written
//                         with 17 significant digits so Redis and Postgres hold the same double)
//   helpful:{asin}:floor  "-" while the set holds every ranked review of the product, otherwise
//                         "<key>|<review id>" of the best review the set has dropped
// The set holds exactly the product's ranked reviews above the floor in (sort key, review id)
// order, so a reader serves it as a prefix of the product's order and continues below its last
// member from Postgres (the same keys, review_ranks.sort_key) without skipping anyone. A product
// without a floor key is unknown to the cache (never built, or lost with a Redis restart).
namespace candor::rankcache {

std::string SetKey(const std::string& asin);
std::string FloorKey(const std::string& asin);

// A double as text that reads back as the same double (17 significant digits).
std::string KeyText(double key);

// The floor's text for the review (key, review id): "<key>|<review id>".
std::string FloorText(double key, const std::string& review_id);

// The floor `text` as stored: nullopt for "-" (the set holds every ranked review), else the
// (key, review id) of FloorText. Internal for any other text.
absl::StatusOr<std::optional<std::pair<double, std::string>>> ParseFloor(const std::string& text);

// KEYS: set, floor. ARGV: the bound (members kept), then pairs (review id, key text, or "" when
// the review left the ranking). Applies every pair atomically, keeping the set exactly the
// reviews above the floor, and trims it to the bound (raising the floor to the best member
// trimmed). Returns -1 without touching anything when the floor key is missing (unknown product),
// else the set's size before trimming.
const redis::Script& UpdateScript();

// KEYS: set, floor. ARGV: floor ("-" or "<key>|<id>"), then pairs (review id, key text). Replaces
// the set with the pairs and sets the floor.
const redis::Script& RebuildScript();

// KEYS: set, floor. ARGV: n, then optionally (key text, review id) of the previous page's last
// review. Returns {0} when the floor key is missing (unknown: read Postgres), else {1, id, key,
// id, key, ...}: up to n members after the position, best first; {2, ...} instead of {1, ...}
// when the floor is "-" (the set holds every ranked review: nothing lies below its last member).
const redis::Script& ReadScript();

// One member ReadScript returned.
struct Entry {
  std::string review_id;
  double sort_key = 0;
};

// The parsed reply of ReadScript: nullopt when the product is unknown to the cache. Internal for
// a reply of another shape.
absl::StatusOr<std::optional<std::vector<Entry>>> ParseRead(const redis::Reply& reply);
// The same, and `*complete` (when not null) says whether the set holds every ranked review of the
// product (false when unknown).
absl::StatusOr<std::optional<std::vector<Entry>>> ParseRead(const redis::Reply& reply,
                                                            bool* complete);

}  // namespace candor::rankcache
