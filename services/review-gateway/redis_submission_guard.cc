#include "services/review-gateway/redis_submission_guard.h"

#include "absl/strings/str_cat.h"
#include "libs/redis/hash_tag.h"

namespace candor::gateway {
namespace {

// Every marker's value is "<state>:<review_id>:<content digest>", state `p` (admitted, not yet
// confirmed) or `c` (confirmed: the log holds it). A value of any other shape (written before
// states existed) counts as confirmed, since it was only ever kept after a confirmed publish.
//
// KEYS: fingerprint marker, product marker, user window.
// ARGV: now_ms, fingerprint_ttl_ms, product_ttl_ms, window_ms, limit, review_id, digest.
// Returns {verdict, retry_after_ms, review_id}: 0 admitted, 1 duplicate, 2 already reviewed,
// 3 limited, 4 in doubt, 5 resumed.
const redis::Script& AdmitScript() {
  static const redis::Script kScript(R"lua(
local now, window = tonumber(ARGV[1]), tonumber(ARGV[4])
local id, digest = ARGV[6], ARGV[7]
local function parse(v)
  local st, rid, dg = string.match(v, '^([pc]):(%x+):(%x+)$')
  if st then return st, rid, dg end
  return 'c', v, ''
end
local resumed = false
local fp = redis.call('GET', KEYS[1])
if fp then
  local st, rid, dg = parse(fp)
  if st == 'c' then return {1, 0, rid} end
  if dg ~= digest then return {4, 0, rid} end
  resumed = true
end
local p = redis.call('GET', KEYS[2])
if p then
  local st, rid = parse(p)
  if rid ~= id then
    if st == 'c' then return {2, 0, rid} end
    return {4, 0, rid}
  end
end
local pending = 'p:' .. id .. ':' .. digest
if resumed then
  if not p then redis.call('SET', KEYS[2], pending, 'PX', ARGV[3]) end
  return {5, 0, id}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return {3, math.max(0, tonumber(oldest[2]) + window - now), ''}
end
redis.call('SET', KEYS[1], pending, 'PX', ARGV[2])
redis.call('SET', KEYS[2], pending, 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], now, id)
redis.call('PEXPIRE', KEYS[3], window)
return {0, 0, id}
)lua");
  return kScript;
}

// Marks this submission's markers confirmed, keeping their expiry. Markers that are gone (expired,
// released by a racing attempt whose publish failed, lost with a Redis that restarted) are
// written again: the log holds the review, so the guard must know it.
// KEYS as Admit. ARGV: now_ms, fingerprint_ttl_ms, product_ttl_ms, window_ms, review_id, digest.
const redis::Script& ConfirmScript() {
  static const redis::Script kScript(R"lua(
local id, digest = ARGV[5], ARGV[6]
local pending, done = 'p:' .. id .. ':' .. digest, 'c:' .. id .. ':' .. digest
local ttls = {ARGV[2], ARGV[3]}
for i = 1, 2 do
  local v = redis.call('GET', KEYS[i])
  if v == pending then
    redis.call('SET', KEYS[i], done, 'KEEPTTL')
  elseif not v then
    redis.call('SET', KEYS[i], done, 'PX', ttls[i])
  end
end
if not redis.call('ZSCORE', KEYS[3], id) then
  redis.call('ZADD', KEYS[3], ARGV[1], id)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return 1
)lua");
  return kScript;
}

// Deletes only the unconfirmed markers this very submission wrote, so a release can never free
// another submission's keys, nor ones a racing identical attempt has confirmed meanwhile.
// KEYS as Admit. ARGV: review_id, digest.
const redis::Script& ReleaseScript() {
  static const redis::Script kScript(R"lua(
local pending = 'p:' .. ARGV[1] .. ':' .. ARGV[2]
if redis.call('GET', KEYS[1]) ~= pending then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == pending then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
)lua");
  return kScript;
}

}  // namespace

RedisSubmissionGuard::Keys RedisSubmissionGuard::KeysFor(const review::Submission& s) {
  std::string prefix = absl::StrCat("g:", redis::HashTag(s.user_id), ":");
  return {absl::StrCat(prefix, "fp:", s.fingerprint), absl::StrCat(prefix, "p:", s.asin),
          absl::StrCat(prefix, "w")};
}

void RedisSubmissionGuard::Admit(const review::Submission& s, absl::Time now, AdmitCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(AdmitScript(), {k.fingerprint, k.product, k.window},
               {std::to_string(absl::ToUnixMillis(now)),
                std::to_string(absl::ToInt64Milliseconds(policy_.fingerprint_ttl)),
                std::to_string(absl::ToInt64Milliseconds(policy_.per_product_window)),
                std::to_string(absl::ToInt64Milliseconds(policy_.user_window)),
                std::to_string(policy_.user_limit), s.review_id, ContentDigest(s)},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 if (r->elements.size() != 3) {
                   done(absl::InternalError("guard script: unexpected reply"));
                   return;
                 }
                 GuardVerdict v;
                 v.review_id = r->elements[2].str;
                 switch (r->elements[0].integer) {
                   case 0:
                     v.kind = GuardVerdict::Kind::kAdmitted;
                     break;
                   case 1:
                     v.kind = GuardVerdict::Kind::kDuplicate;
                     break;
                   case 2:
                     v.kind = GuardVerdict::Kind::kAlreadyReviewed;
                     break;
                   case 3:
                     v.kind = GuardVerdict::Kind::kRateLimited;
                     v.retry_after = absl::Milliseconds(r->elements[1].integer);
                     break;
                   case 4:
                     v.kind = GuardVerdict::Kind::kInDoubt;
                     break;
                   case 5:
                     v.kind = GuardVerdict::Kind::kResumed;
                     break;
                   default:
                     done(absl::InternalError("guard script: unknown verdict"));
                     return;
                 }
                 done(v);
               });
}

void RedisSubmissionGuard::Confirm(const review::Submission& s, absl::Time now, DoneCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(ConfirmScript(), {k.fingerprint, k.product, k.window},
               {std::to_string(absl::ToUnixMillis(now)),
                std::to_string(absl::ToInt64Milliseconds(policy_.fingerprint_ttl)),
                std::to_string(absl::ToInt64Milliseconds(policy_.per_product_window)),
                std::to_string(absl::ToInt64Milliseconds(policy_.user_window)), s.review_id,
                ContentDigest(s)},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) { done(r.status()); });
}

void RedisSubmissionGuard::Release(const review::Submission& s, DoneCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(ReleaseScript(), {k.fingerprint, k.product, k.window},
               {s.review_id, ContentDigest(s)},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) { done(r.status()); });
}

}  // namespace candor::gateway
