#include "services/review-gateway/redis_submission_guard.h"

#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/redis/hash_tag.h"

namespace candor::gateway {
namespace {

// Every marker's value is "<state>:<review_id>:<content digest>", state `p` (admitted, not yet
// confirmed) or `c` (confirmed: the log holds it). A value of any other shape (written before
// states existed) counts as confirmed, since it was only ever kept after a confirmed publish.
//
// KEYS: fingerprint marker, product marker, user window.
// ARGV: now_ms, fingerprint_ttl_ms, product_ttl_ms, window_ms, limit, review_id, digest,
// imported ("1": an import, held to the fingerprint rule alone: it neither reads nor writes the
// product marker and the window).
// Returns {verdict, retry_after_ms, review_id}: 0 admitted, 1 duplicate, 2 already reviewed,
// 3 limited, 4 in doubt, 5 resumed.
const redis::Script& AdmitScript() {
  static const redis::Script kScript(R"lua(
local now, window = tonumber(ARGV[1]), tonumber(ARGV[4])
local id, digest = ARGV[6], ARGV[7]
local imported = ARGV[8] == '1'
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
local pending = 'p:' .. id .. ':' .. digest
if imported then
  if resumed then return {5, 0, id} end
  redis.call('SET', KEYS[1], pending, 'PX', ARGV[2])
  return {0, 0, id}
end
local p = redis.call('GET', KEYS[2])
if p then
  local st, rid = parse(p)
  if rid ~= id then
    if st == 'c' then return {2, 0, rid} end
    return {4, 0, rid}
  end
end
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

// AdmitScript's verdicts by number.
constexpr GuardVerdict::Kind kAdmitVerdicts[] = {
    GuardVerdict::Kind::kAdmitted,        GuardVerdict::Kind::kDuplicate,
    GuardVerdict::Kind::kAlreadyReviewed, GuardVerdict::Kind::kRateLimited,
    GuardVerdict::Kind::kInDoubt,         GuardVerdict::Kind::kResumed};

// Marks this submission's markers confirmed, keeping their expiry. Markers that are gone (expired,
// released by a racing attempt whose publish failed, lost with a Redis that restarted) are
// written again: the log holds the review, so the guard must know it. An import has only its
// fingerprint marker. Every confirmation is also remembered in the user's confirmed set (review
// id scored by the time), trimmed to confirmed_memory, for WasConfirmed.
// KEYS as Admit, then the confirmed set. ARGV: now_ms, fingerprint_ttl_ms, product_ttl_ms,
// window_ms, review_id, digest, imported ("1" or "0"), confirmed_memory_ms.
const redis::Script& ConfirmScript() {
  static const redis::Script kScript(R"lua(
local now, id, digest = tonumber(ARGV[1]), ARGV[5], ARGV[6]
local pending, done = 'p:' .. id .. ':' .. digest, 'c:' .. id .. ':' .. digest
local ttls = {ARGV[2], ARGV[3]}
local markers = 2
if ARGV[7] == '1' then markers = 1 end
for i = 1, markers do
  local v = redis.call('GET', KEYS[i])
  if v == pending then
    redis.call('SET', KEYS[i], done, 'KEEPTTL')
  elseif not v then
    redis.call('SET', KEYS[i], done, 'PX', ttls[i])
  end
end
if markers == 2 and not redis.call('ZSCORE', KEYS[3], id) then
  redis.call('ZADD', KEYS[3], now, id)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
local memory = tonumber(ARGV[8])
redis.call('ZADD', KEYS[4], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - memory))
redis.call('PEXPIRE', KEYS[4], memory)
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
          absl::StrCat(prefix, "w"), ConfirmedKey(s.user_id)};
}

std::string RedisSubmissionGuard::ConfirmedKey(const std::string& user_id) {
  return absl::StrCat("g:", redis::HashTag(user_id), ":ok");
}

void RedisSubmissionGuard::Admit(const review::Submission& s, absl::Time now, AdmitCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(
      AdmitScript(), {k.fingerprint, k.product, k.window},
      {std::to_string(absl::ToUnixMillis(now)),
       std::to_string(absl::ToInt64Milliseconds(policy_.fingerprint_ttl)),
       std::to_string(absl::ToInt64Milliseconds(policy_.per_product_window)),
       std::to_string(absl::ToInt64Milliseconds(policy_.user_window)),
       std::to_string(policy_.user_limit), s.review_id, ContentDigest(s), s.imported ? "1" : "0"},
      [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        if (r->elements.size() != 3) {
          done(absl::InternalError("guard script: unexpected reply"));
          return;
        }
        const int64_t code = r->elements[0].integer;
        if (code < 0 || code >= std::ssize(kAdmitVerdicts)) {
          done(absl::InternalError("guard script: unknown verdict"));
          return;
        }
        GuardVerdict v;
        v.kind = kAdmitVerdicts[code];
        v.review_id = r->elements[2].str;
        if (v.kind == GuardVerdict::Kind::kRateLimited) {
          v.retry_after = absl::Milliseconds(r->elements[1].integer);
        }
        done(v);
      });
}

void RedisSubmissionGuard::Confirm(const review::Submission& s, absl::Time now, DoneCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(ConfirmScript(), {k.fingerprint, k.product, k.window, k.confirmed},
               {std::to_string(absl::ToUnixMillis(now)),
                std::to_string(absl::ToInt64Milliseconds(policy_.fingerprint_ttl)),
                std::to_string(absl::ToInt64Milliseconds(policy_.per_product_window)),
                std::to_string(absl::ToInt64Milliseconds(policy_.user_window)), s.review_id,
                ContentDigest(s), s.imported ? "1" : "0",
                std::to_string(absl::ToInt64Milliseconds(policy_.confirmed_memory))},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) { done(r.status()); });
}

void RedisSubmissionGuard::WasConfirmed(const std::string& user_id, const std::string& review_id,
                                        absl::Time now,
                                        std::function<void(absl::StatusOr<bool>)> done) {
  const int64_t since = absl::ToUnixMillis(now - policy_.confirmed_memory);
  client_.Command({"ZSCORE", ConfirmedKey(user_id), review_id},
                  [since, done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                    if (!r.ok()) {
                      done(r.status());
                      return;
                    }
                    // Nil when the id is not in the set; else the confirmation time (ms).
                    int64_t at = 0;
                    done(r->type == redis::Reply::Type::kString && absl::SimpleAtoi(r->str, &at) &&
                         at >= since);
                  });
}

void RedisSubmissionGuard::Release(const review::Submission& s, DoneCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(ReleaseScript(), {k.fingerprint, k.product, k.window},
               {s.review_id, ContentDigest(s)},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) { done(r.status()); });
}

}  // namespace candor::gateway
