#include "services/review-gateway/redis_helpful.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/redis/hash_tag.h"

namespace candor::gateway {
namespace {

// KEYS: the user's window. ARGV: now_ms, window_ms, limit, a member unique to this attempt.
// Returns {1, 0} admitted (and recorded) or {0, retry_after_ms}.
const redis::Script& VoteWindowScript() {
  static const redis::Script kScript(R"lua(
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(0, tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
)lua");
  return kScript;
}

}  // namespace

void RedisVoteLimiter::Admit(const std::string& user_id, absl::Time now,
                             std::function<void(absl::StatusOr<VoteAdmission>)> done) {
  // Two votes in the same millisecond are two members.
  static std::atomic<uint64_t> sequence{0};
  const int64_t now_ms = absl::ToUnixMillis(now);
  client_.Eval(VoteWindowScript(), {absl::StrCat("v:", redis::HashTag(user_id), ":w")},
               {absl::StrCat(now_ms), absl::StrCat(absl::ToInt64Milliseconds(window_)),
                absl::StrCat(limit_), absl::StrCat(now_ms, ":", sequence.fetch_add(1))},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 if (r->elements.size() != 2) {
                   done(absl::InternalError("vote window script: unexpected reply"));
                   return;
                 }
                 done(VoteAdmission{r->elements[0].integer == 1,
                                    absl::Milliseconds(r->elements[1].integer)});
               });
}

void RedisRankingReader::Read(const std::string& asin, int n,
                              const std::optional<std::pair<double, std::string>>& after,
                              std::function<void(absl::StatusOr<std::optional<RankedRead>>)> done) {
  std::vector<std::string> args = {absl::StrCat(n)};
  if (after) {
    args.push_back(rankcache::KeyText(after->first));
    args.push_back(after->second);
  }
  client_.Eval(rankcache::ReadScript(), {rankcache::SetKey(asin), rankcache::FloorKey(asin)}, args,
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 bool complete = false;
                 auto parsed = rankcache::ParseRead(*r, &complete);
                 if (!parsed.ok()) {
                   done(parsed.status());
                   return;
                 }
                 if (!parsed->has_value()) {
                   done(std::optional<RankedRead>());
                   return;
                 }
                 RankedRead read;
                 read.complete = complete;
                 for (rankcache::Entry& e : **parsed) {
                   read.entries.push_back({std::move(e.review_id), e.sort_key});
                 }
                 done(std::optional<RankedRead>(std::move(read)));
               });
}

}  // namespace candor::gateway
