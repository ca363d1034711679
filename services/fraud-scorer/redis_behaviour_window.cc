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

// The script's keys and arguments for one review.
redis::ScriptCall RecordCall(const std::string& user_id, const std::string& review_id,
                             const std::string& asin, absl::Time at, absl::Time now) {
  return {
      {RedisBehaviourWindow::ReviewsKey(user_id), RedisBehaviourWindow::ProductsKey(user_id)},
      {absl::StrCat(absl::ToUnixMillis(at)), review_id, asin,
       absl::StrCat(absl::ToUnixMillis(at - kDay)), absl::StrCat(absl::ToUnixMillis(now - kKeep)),
       absl::StrCat(absl::ToInt64Seconds(kTtl))}};
}

absl::StatusOr<UserActivity> ParseActivity(const redis::Reply& r) {
  if (r.type != redis::Reply::Type::kArray || r.elements.size() != 3) {
    return absl::InternalError("behaviour window: unexpected script reply");
  }
  UserActivity a;
  a.reviews_24h = r.elements[0].integer;
  a.products_24h = r.elements[1].integer;
  a.reviews_7d = r.elements[2].integer;
  return a;
}

}  // namespace

RedisBehaviourWindow::RedisBehaviourWindow(redis::Client& client, const core::Clock& clock,
                                           absl::Duration cooldown)
    : client_(client), clock_(clock), cooldown_(cooldown) {}

bool RedisBehaviourWindow::CoolingDown() {
  std::lock_guard lock(mu_);
  return clock_.Now() < skip_until_;
}

void RedisBehaviourWindow::StartCooldown() {
  std::lock_guard lock(mu_);
  skip_until_ = clock_.Now() + cooldown_;
}

absl::StatusOr<UserActivity> RedisBehaviourWindow::Record(const std::string& user_id,
                                                          const std::string& review_id,
                                                          const std::string& asin, absl::Time at,
                                                          absl::Time now) {
  if (CoolingDown()) {
    return absl::UnavailableError("behaviour window: skipped, Redis failed moments ago");
  }
  const redis::ScriptCall call = RecordCall(user_id, review_id, asin, at, now);
  std::vector<std::string_view> keys(call.keys.begin(), call.keys.end());
  std::vector<std::string_view> args(call.args.begin(), call.args.end());
  absl::StatusOr<redis::Reply> r = client_.Eval(RecordScript(), keys, args);
  if (!r.ok()) {
    StartCooldown();
    return absl::UnavailableError(absl::StrCat("behaviour window: ", r.status().message()));
  }
  return ParseActivity(*r);
}

std::vector<absl::StatusOr<UserActivity>> RedisBehaviourWindow::RecordBatch(
    const std::vector<WindowEntry>& entries, absl::Time now) {
  std::vector<absl::StatusOr<UserActivity>> out;
  if (entries.empty()) return out;
  if (CoolingDown()) {
    out.assign(entries.size(),
               absl::UnavailableError("behaviour window: skipped, Redis failed moments ago"));
    return out;
  }
  std::vector<redis::ScriptCall> calls;
  calls.reserve(entries.size());
  for (const WindowEntry& e : entries) {
    calls.push_back(RecordCall(e.user_id, e.review_id, e.asin, e.at, now));
  }
  // One connection, in order: Redis runs the scripts one after another exactly as a Record per
  // entry would, so a user's later review in the batch counts the earlier ones.
  auto replies = client_.EvalPipeline(RecordScript(), calls);
  if (!replies.ok()) {
    StartCooldown();
    out.assign(entries.size(), absl::UnavailableError(
                                   absl::StrCat("behaviour window: ", replies.status().message())));
    return out;
  }
  out.reserve(entries.size());
  for (absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok()) {
      // An error reply for one script (as Record: Unavailable, and later calls wait out the
      // cooldown); the other entries keep their results.
      StartCooldown();
      out.push_back(
          absl::UnavailableError(absl::StrCat("behaviour window: ", r.status().message())));
      continue;
    }
    out.push_back(ParseActivity(*r));
  }
  return out;
}

}  // namespace candor::fraud_scorer
