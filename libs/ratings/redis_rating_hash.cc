#include "libs/ratings/redis_rating_hash.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::ratings {

absl::StatusOr<std::optional<review::RatingAggregate>> ParseRatingHash(const std::string& asin,
                                                                       const redis::Reply& reply) {
  if (reply.elements.empty()) return std::nullopt;
  review::RatingAggregate a;
  a.asin = asin;
  int seen = 0;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& field = reply.elements[i].str;
    int64_t v = 0;
    if (!absl::SimpleAtoi(reply.elements[i + 1].str, &v)) {
      return absl::DataLossError(
          absl::StrCat(RatingHashKey(asin), ": field ", field, " is not an integer"));
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
  if (seen != 10) return std::nullopt;
  return a;
}

const redis::Script& RatingPutScript() {
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

std::vector<std::string> RatingPutArgs(const review::RatingAggregate& a) {
  std::vector<std::string> args = {std::to_string(a.version), std::to_string(a.count),
                                   std::to_string(a.sum), std::to_string(a.verified_count),
                                   std::to_string(a.verified_sum)};
  for (int64_t s : a.stars) args.push_back(std::to_string(s));
  return args;
}

}  // namespace candor::ratings
