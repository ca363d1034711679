#include "services/reco-api/redis_history_store.h"

#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/redis/hash_tag.h"

namespace candor::reco_api {
namespace {

constexpr char kAllTimeKey[] = "reco:pop:all";
constexpr int64_t kDay = 86400;

// The feature store (README "Redis keys"), kept by the same scripts: reco:fi:<asin> (hash: rc
// rating count, rs rating sum), reco:ft:<asin> (sorted set: review id -> time) and
// reco:co:<asin> (sorted set: other asin -> users who reviewed both, counted over the users'
// kept histories).

// KEYS: review, history ("" without a user), day ("" when the day is out of the window), all.
// ARGV: asin, unix time, history cap, day key expiry (unix seconds), rating, review id.
const redis::Script& AcceptScript() {
  static const redis::Script kScript(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local asin = ARGV[1]
redis.call('SET', KEYS[1], '1\t' .. KEYS[2] .. '\t' .. asin .. '\t' .. ARGV[2] .. '\t' .. KEYS[3] ..
           '\t' .. ARGV[5] .. '\t' .. ARGV[6])
if KEYS[2] ~= '' then
  if not redis.call('ZSCORE', KEYS[2], asin) then
    for _, h in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
      redis.call('ZINCRBY', 'reco:co:' .. h, 1, asin)
      redis.call('ZINCRBY', 'reco:co:' .. asin, 1, h)
    end
  end
  redis.call('ZADD', KEYS[2], ARGV[2], asin)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
end
if KEYS[3] ~= '' then
  redis.call('ZINCRBY', KEYS[3], 1, asin)
  redis.call('EXPIREAT', KEYS[3], ARGV[4])
end
redis.call('ZINCRBY', KEYS[4], 1, asin)
redis.call('ZADD', 'reco:ft:' .. asin, ARGV[2], ARGV[6])
redis.call('HINCRBY', 'reco:fi:' .. asin, 'rc', 1)
redis.call('HINCRBY', 'reco:fi:' .. asin, 'rs', ARGV[5])
return 1
)lua");
  return kScript;
}

// KEYS: review, all. ARGV: "0" (remove) or "1" (restore), history cap. Acts only when the review
// was accepted and is not already in that state. The day key is touched only while it exists
// (an expired day is not brought back by a late removal).
const redis::Script& ToggleScript() {
  static const redis::Script kScript(R"lua(
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local f = {}
for part in string.gmatch(v .. '\t', '([^\t]*)\t') do f[#f + 1] = part end
if f[1] == ARGV[1] then return 0 end
local hist, asin, t, day, rating, id = f[2], f[3], f[4], f[5], f[6], f[7]
local delta = -1
if ARGV[1] == '1' then delta = 1 end
if hist ~= '' then
  local present = redis.call('ZSCORE', hist, asin)
  if delta < 0 and present then
    redis.call('ZREM', hist, asin)
  end
  if (delta < 0 and present) or (delta > 0 and not present) then
    for _, h in ipairs(redis.call('ZRANGE', hist, 0, -1)) do
      redis.call('ZINCRBY', 'reco:co:' .. h, delta, asin)
      redis.call('ZINCRBY', 'reco:co:' .. asin, delta, h)
    end
  end
  if delta > 0 then
    redis.call('ZADD', hist, t, asin)
    redis.call('ZREMRANGEBYRANK', hist, 0, -(tonumber(ARGV[2]) + 1))
  end
end
if day ~= '' and redis.call('EXISTS', day) == 1 then redis.call('ZINCRBY', day, delta, asin) end
redis.call('ZINCRBY', KEYS[2], delta, asin)
if delta < 0 then
  redis.call('ZREM', 'reco:ft:' .. asin, id)
else
  redis.call('ZADD', 'reco:ft:' .. asin, t, id)
end
redis.call('HINCRBY', 'reco:fi:' .. asin, 'rc', delta)
redis.call('HINCRBY', 'reco:fi:' .. asin, 'rs', delta * tonumber(rating))
redis.call('SET', KEYS[1], ARGV[1] .. '\t' .. hist .. '\t' .. asin .. '\t' .. t .. '\t' .. day ..
           '\t' .. rating .. '\t' .. id)
return 1
)lua");
  return kScript;
}

std::string DayKey(int64_t day) { return absl::StrCat("reco:pop:d:", day); }

int64_t DayOf(int64_t unix_seconds) {
  return unix_seconds >= 0 ? unix_seconds / kDay : (unix_seconds - kDay + 1) / kDay;
}

absl::Status Unavailable(const absl::Status& s) {
  return absl::UnavailableError(absl::StrCat("history store: ", s.message()));
}

}  // namespace

std::string RedisHistoryStore::HistoryKey(std::string_view user_id) {
  return absl::StrCat("reco:h:", redis::HashTag(user_id));
}

absl::Status RedisHistoryStore::Apply(std::span<const review::ReviewEvent> events, absl::Time now) {
  if (events.empty()) return absl::OkStatus();
  // Scripts of one kind go in one pipeline; the two kinds run in event order by running the
  // pipelines in turn whenever the kind changes (one product's events are ordered).
  const int64_t today = DayOf(absl::ToUnixSeconds(now));
  size_t i = 0;
  while (i < events.size()) {
    const bool accept = std::holds_alternative<review::ReviewAccepted>(events[i].change);
    std::vector<redis::ScriptCall> calls;
    for (; i < events.size(); ++i) {
      const review::ReviewEvent& e = events[i];
      if (std::holds_alternative<review::ReviewAccepted>(e.change) != accept) break;
      const std::string review_key = absl::StrCat("reco:r:", redis::HashTag(e.review_id));
      if (accept) {
        const auto& accepted = std::get<review::ReviewAccepted>(e.change);
        const absl::Time at = e.occurred_at == absl::InfinitePast() ? now : e.occurred_at;
        const int64_t unix_time = absl::ToUnixSeconds(at);
        const int64_t day = DayOf(unix_time);
        const int64_t expire_at = (day + window_days_ + 2) * kDay;
        const bool in_window = day <= today && day > today - window_days_ - 1;
        calls.push_back(
            {.keys = {review_key, accepted.user_id.empty() ? "" : HistoryKey(accepted.user_id),
                      in_window ? DayKey(day) : "", kAllTimeKey},
             .args = {e.asin, absl::StrCat(unix_time), absl::StrCat(history_cap_),
                      absl::StrCat(expire_at), absl::StrCat(accepted.rating), e.review_id}});
      } else {
        const bool restore = std::holds_alternative<review::ReviewRestored>(e.change);
        calls.push_back({.keys = {review_key, kAllTimeKey},
                         .args = {restore ? "1" : "0", absl::StrCat(history_cap_)}});
      }
    }
    absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
        client_.EvalPipeline(accept ? AcceptScript() : ToggleScript(), calls);
    if (!replies.ok()) return Unavailable(replies.status());
    for (const absl::StatusOr<redis::Reply>& r : *replies) {
      if (!r.ok()) return Unavailable(r.status());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<HistoryItem>> RedisHistoryStore::History(std::string_view user_id) {
  absl::StatusOr<redis::Reply> reply =
      client_.Command({"ZRANGE", HistoryKey(user_id), "0", "-1", "WITHSCORES"});
  if (!reply.ok()) return Unavailable(reply.status());
  std::vector<HistoryItem> out;
  out.reserve(reply->elements.size() / 2);
  for (size_t k = 0; k + 1 < reply->elements.size(); k += 2) {
    double t = 0;
    if (!absl::SimpleAtod(reply->elements[k + 1].str, &t)) t = 0;
    out.push_back({.asin = reply->elements[k].str, .unix_time = static_cast<int64_t>(t)});
  }
  return out;
}

absl::StatusOr<std::vector<PopularItem>> RedisHistoryStore::Popular(absl::Time now,
                                                                    int32_t window_days,
                                                                    int32_t n) {
  const int64_t today = DayOf(absl::ToUnixSeconds(now));
  std::vector<std::string> union_cmd = {"ZUNIONSTORE", "reco:pop:window",
                                        absl::StrCat(window_days + 1)};
  for (int64_t d = today - window_days; d <= today; ++d) union_cmd.push_back(DayKey(d));
  const std::string limit = absl::StrCat(n);
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = client_.Pipeline(
      {union_cmd,
       {"ZRANGE", "reco:pop:window", "+inf", "(0", "BYSCORE", "REV", "LIMIT", "0", limit,
        "WITHSCORES"},
       {"ZRANGE", kAllTimeKey, "+inf", "(0", "BYSCORE", "REV", "LIMIT", "0", limit, "WITHSCORES"}});
  if (!replies.ok()) return Unavailable(replies.status());
  for (const absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok()) return Unavailable(r.status());
  }
  std::vector<PopularItem> out;
  absl::flat_hash_set<std::string> taken;
  for (size_t which : {size_t{1}, size_t{2}}) {
    const redis::Reply& list = *(*replies)[which];
    for (size_t k = 0; k + 1 < list.elements.size(); k += 2) {
      if (out.size() == static_cast<size_t>(n)) break;
      if (!taken.insert(list.elements[k].str).second) continue;
      double count = 0;
      if (!absl::SimpleAtod(list.elements[k + 1].str, &count)) count = 0;
      // All-time entries rank after every windowed one: their score says so (negative).
      out.push_back(
          {.asin = list.elements[k].str, .count = which == 1 ? count : -1.0 / (1 + count)});
    }
  }
  return out;
}

absl::StatusOr<FeatureSnapshot> RedisHistoryStore::Features(std::vector<std::string> asins,
                                                            std::span<const int32_t> history,
                                                            int64_t now, int64_t window_seconds) {
  FeatureSnapshot snapshot(std::move(asins), window_seconds);
  const std::vector<std::string>& items = snapshot.asins();
  const std::string before_now = absl::StrCat("(", now);
  const std::string window_start = absl::StrCat(now - window_seconds);
  std::vector<std::vector<std::string>> commands;
  commands.reserve(items.size() * 5 + history.size());
  for (const std::string& asin : items) {
    const std::string times = absl::StrCat("reco:ft:", asin);
    commands.push_back({"ZCARD", times});
    commands.push_back({"ZCOUNT", times, window_start, before_now});
    commands.push_back(
        {"ZRANGE", times, "-inf", before_now, "BYSCORE", "LIMIT", "0", "1", "WITHSCORES"});
    commands.push_back(
        {"ZRANGE", times, before_now, "-inf", "BYSCORE", "REV", "LIMIT", "0", "1", "WITHSCORES"});
    commands.push_back({"HMGET", absl::StrCat("reco:fi:", asin), "rc", "rs"});
  }
  for (int32_t h : history) {
    std::vector<std::string> cmd = {"ZMSCORE",
                                    absl::StrCat("reco:co:", items[static_cast<size_t>(h)])};
    cmd.insert(cmd.end(), items.begin(), items.end());
    commands.push_back(std::move(cmd));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = client_.Pipeline(commands);
  if (!replies.ok()) return Unavailable(replies.status());
  for (const absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok()) return Unavailable(r.status());
  }
  auto number = [](const redis::Reply& r) -> int64_t {
    if (r.type == redis::Reply::Type::kInteger) return r.integer;
    int64_t v = 0;
    if (r.type == redis::Reply::Type::kString && absl::SimpleAtoi(r.str, &v)) return v;
    double d = 0;
    if (r.type == redis::Reply::Type::kString && absl::SimpleAtod(r.str, &d)) {
      return static_cast<int64_t>(d);
    }
    return 0;
  };
  auto time_of = [&](const redis::Reply& r) -> int64_t {
    return r.elements.size() == 2 ? number(r.elements[1]) : -1;
  };
  size_t k = 0;
  for (size_t i = 0; i < items.size(); ++i, k += 5) {
    const redis::Reply& fields = *(*replies)[k + 4];
    reco::ItemAggregates a;
    a.interactions = number(*(*replies)[k]);
    a.recent_interactions = number(*(*replies)[k + 1]);
    a.first_time = time_of(*(*replies)[k + 2]);
    a.last_time = time_of(*(*replies)[k + 3]);
    if (fields.elements.size() == 2) {
      a.rating_count = number(fields.elements[0]);
      a.rating_sum = static_cast<double>(number(fields.elements[1]));
    }
    snapshot.SetItem(static_cast<int32_t>(i), a);
  }
  for (int32_t h : history) {
    const redis::Reply& scores = *(*replies)[k++];
    for (size_t j = 0; j < scores.elements.size() && j < items.size(); ++j) {
      if (scores.elements[j].type == redis::Reply::Type::kNil) continue;
      snapshot.SetCoReviews(h, static_cast<int32_t>(j), number(scores.elements[j]));
    }
  }
  return snapshot;
}

}  // namespace candor::reco_api
