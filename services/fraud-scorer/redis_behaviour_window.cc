#include "services/fraud-scorer/redis_behaviour_window.h"

#include "absl/strings/str_cat.h"

namespace candor::fraud_scorer {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kKeep = absl::Hours(24 * 7);
// Longer than kKeep so an idle user's keys expire only after every entry would have been trimmed.
constexpr absl::Duration kTtl = absl::Hours(24 * 8);

// KEYS[1] = reviews set, KEYS[2] = products set.
// ARGV = at_ms, review_id, asin, since_ms (at - 24 h), trim_before_ms (now - 7 d), ttl_seconds.
// Returns {reviews in [since, +inf), products in [since, +inf), reviews kept}.
const redis::Script& RecordScript() {
  static const redis::Script kScript(R"lua(
local at = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], at, ARGV[2])
local latest = redis.call('ZSCORE', KEYS[2], ARGV[3])
if (not latest) or tonumber(latest) < at then redis.call('ZADD', KEYS[2], at, ARGV[3]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {redis.call('ZCOUNT', KEYS[1], ARGV[4], '+inf'),
        redis.call('ZCOUNT', KEYS[2], ARGV[4], '+inf'),
        redis.call('ZCARD', KEYS[1])}
)lua");
  return kScript;
}

}  // namespace

RedisBehaviourWindow::RedisBehaviourWindow(redis::Client& client, const core::Clock& clock,
                                           absl::Duration cooldown)
    : client_(client), clock_(clock), cooldown_(cooldown) {}

absl::StatusOr<UserActivity> RedisBehaviourWindow::Record(const std::string& user_id,
                                                          const std::string& review_id,
                                                          const std::string& asin, absl::Time at,
                                                          absl::Time now) {
  {
    std::lock_guard lock(mu_);
    if (clock_.Now() < skip_until_) {
      return absl::UnavailableError("behaviour window: skipped, Redis failed moments ago");
    }
  }
  const std::string reviews_key = ReviewsKey(user_id);
  const std::string products_key = ProductsKey(user_id);
  const std::string at_ms = absl::StrCat(absl::ToUnixMillis(at));
  const std::string since_ms = absl::StrCat(absl::ToUnixMillis(at - kDay));
  const std::string trim_ms = absl::StrCat(absl::ToUnixMillis(now - kKeep));
  const std::string ttl = absl::StrCat(absl::ToInt64Seconds(kTtl));
  absl::StatusOr<redis::Reply> r = client_.Eval(RecordScript(), {reviews_key, products_key},
                                                {at_ms, review_id, asin, since_ms, trim_ms, ttl});
  if (!r.ok()) {
    std::lock_guard lock(mu_);
    skip_until_ = clock_.Now() + cooldown_;
    return absl::UnavailableError(absl::StrCat("behaviour window: ", r.status().message()));
  }
  if (r->type != redis::Reply::Type::kArray || r->elements.size() != 3) {
    return absl::InternalError("behaviour window: unexpected script reply");
  }
  UserActivity a;
  a.reviews_24h = r->elements[0].integer;
  a.products_24h = r->elements[1].integer;
  a.reviews_7d = r->elements[2].integer;
  return a;
}

}  // namespace candor::fraud_scorer
