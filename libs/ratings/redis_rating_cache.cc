#include "libs/ratings/redis_rating_cache.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::ratings {
namespace {

// KEYS[1] = rating:{asin}; ARGV = version, count, sum, vcount, vsum, s1..s5.
const redis::Script& PutScript() {
  static const redis::Script kScript(R"lua(
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'count', ARGV[2], 'sum', ARGV[3],
  'vcount', ARGV[4], 'vsum', ARGV[5], 's1', ARGV[6], 's2', ARGV[7], 's3', ARGV[8],
  's4', ARGV[9], 's5', ARGV[10])
return 1
)lua");
  return kScript;
}

// ARGV of PutScript for one aggregate.
std::vector<std::string> PutArgs(const review::RatingAggregate& a) {
  std::vector<std::string> args = {std::to_string(a.version), std::to_string(a.count),
                                   std::to_string(a.sum), std::to_string(a.verified_count),
                                   std::to_string(a.verified_sum)};
  for (int64_t s : a.stars) args.push_back(std::to_string(s));
  return args;
}

}  // namespace

absl::StatusOr<std::optional<review::RatingAggregate>> RedisRatingCache::Get(
    const std::string& asin) {
  std::string key = Key(asin);
  absl::StatusOr<redis::Reply> r = client_.Command({"HGETALL", key});
  if (!r.ok()) return r.status();
  if (r->elements.empty()) return std::nullopt;
  review::RatingAggregate a;
  a.asin = asin;
  int seen = 0;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    const std::string& field = r->elements[i].str;
    int64_t v = 0;
    if (!absl::SimpleAtoi(r->elements[i + 1].str, &v)) {
      return absl::DataLossError(absl::StrCat(key, ": field ", field, " is not an integer"));
    }
    int64_t* slot = nullptr;
    if (field == "version") slot = &a.version;
    if (field == "count") slot = &a.count;
    if (field == "sum") slot = &a.sum;
    if (field == "vcount") slot = &a.verified_count;
    if (field == "vsum") slot = &a.verified_sum;
    if (field.size() == 2 && field[0] == 's' && field[1] >= '1' && field[1] <= '5') {
      slot = &a.stars[field[1] - '1'];
    }
    if (slot != nullptr) {
      *slot = v;
      ++seen;
    }
  }
  // A hash missing fields (written by hand, half-evicted) is treated as a miss and repaired.
  if (seen != 10) return std::nullopt;
  return a;
}

absl::StatusOr<bool> RedisRatingCache::Put(const review::RatingAggregate& a) {
  std::string key = Key(a.asin);
  std::vector<std::string> args = PutArgs(a);
  std::vector<std::string_view> views(args.begin(), args.end());
  absl::StatusOr<redis::Reply> r = client_.Eval(PutScript(), {key}, views);
  if (!r.ok()) return r.status();
  return r->integer == 1;
}

absl::StatusOr<std::vector<bool>> RedisRatingCache::PutMany(
    const std::vector<review::RatingAggregate>& aggregates) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(aggregates.size());
  for (const review::RatingAggregate& a : aggregates) calls.push_back({{Key(a.asin)}, PutArgs(a)});
  auto replies = client_.EvalPipeline(PutScript(), calls);
  if (!replies.ok()) return replies.status();
  std::vector<bool> stored;
  stored.reserve(replies->size());
  for (const absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok()) return r.status();
    stored.push_back(r->integer == 1);
  }
  return stored;
}

}  // namespace candor::ratings
