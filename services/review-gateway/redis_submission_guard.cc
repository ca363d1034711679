#include "services/review-gateway/redis_submission_guard.h"

#include "absl/strings/str_cat.h"

namespace candor::gateway {
namespace {

// KEYS: fingerprint marker, product marker, user window.
// ARGV: now_ms, fingerprint_ttl_ms, product_ttl_ms, window_ms, limit, review_id.
// Returns {verdict, retry_after_ms}: 0 admitted, 1 duplicate, 2 already reviewed, 3 limited.
const redis::Script& AdmitScript() {
  static const redis::Script kScript(R"lua(
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {2, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return {3, math.max(0, tonumber(oldest[2]) + window - now)}
end
redis.call('SET', KEYS[1], ARGV[6], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], now, ARGV[6])
redis.call('PEXPIRE', KEYS[3], window)
return {0, 0}
)lua");
  return kScript;
}

// Deletes only what this submission wrote, so a release can never free another's keys.
const redis::Script& ReleaseScript() {
  static const redis::Script kScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
)lua");
  return kScript;
}

struct Keys {
  std::string fingerprint, product, window;
};

Keys KeysFor(const review::Submission& s) {
  std::string prefix = absl::StrCat("g:{", s.user_id, "}:");
  return {absl::StrCat(prefix, "fp:", s.fingerprint), absl::StrCat(prefix, "p:", s.asin),
          absl::StrCat(prefix, "w")};
}

}  // namespace

void RedisSubmissionGuard::Admit(const review::Submission& s, absl::Time now, AdmitCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(AdmitScript(), {k.fingerprint, k.product, k.window},
               {std::to_string(absl::ToUnixMillis(now)),
                std::to_string(absl::ToInt64Milliseconds(policy_.fingerprint_ttl)),
                std::to_string(absl::ToInt64Milliseconds(policy_.per_product_window)),
                std::to_string(absl::ToInt64Milliseconds(policy_.user_window)),
                std::to_string(policy_.user_limit), s.review_id},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 if (r->elements.size() != 2) {
                   done(absl::InternalError("guard script: unexpected reply"));
                   return;
                 }
                 GuardVerdict v;
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
                   default:
                     v.kind = GuardVerdict::Kind::kRateLimited;
                     v.retry_after = absl::Milliseconds(r->elements[1].integer);
                 }
                 done(v);
               });
}

void RedisSubmissionGuard::Release(const review::Submission& s, ReleaseCallback done) {
  Keys k = KeysFor(s);
  client_.Eval(ReleaseScript(), {k.fingerprint, k.product, k.window}, {s.review_id},
               [done = std::move(done)](absl::StatusOr<redis::Reply> r) { done(r.status()); });
}

}  // namespace candor::gateway
