#include "libs/rankcache/rank_cache.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/redis/hash_tag.h"

namespace candor::rankcache {

std::string SetKey(const std::string& asin) {
  return absl::StrCat("helpful:", redis::HashTag(asin));
}

std::string FloorKey(const std::string& asin) { return absl::StrCat(SetKey(asin), ":floor"); }

std::string KeyText(double key) { return absl::StrFormat("%.17g", key); }

std::string FloorText(double key, const std::string& review_id) {
  return absl::StrCat(KeyText(key), "|", review_id);
}

absl::StatusOr<std::optional<std::pair<double, std::string>>> ParseFloor(const std::string& text) {
  if (text == "-") return std::optional<std::pair<double, std::string>>();
  const size_t sep = text.find('|');
  double key = 0;
  if (sep == std::string::npos || sep + 1 == text.size() ||
      !absl::SimpleAtod(text.substr(0, sep), &key)) {
    return absl::InternalError(absl::StrCat("ranking floor '", text, "': not - or <key>|<id>"));
  }
  return std::optional<std::pair<double, std::string>>(std::in_place, key, text.substr(sep + 1));
}

const redis::Script& UpdateScript() {
  static const redis::Script kScript(R"lua(
local floor = redis.call('GET', KEYS[2])
if not floor then return -1 end
local fk, fid = nil, nil
if floor ~= '-' then
  local sep = string.find(floor, '|', 1, true)
  fk = tonumber(string.sub(floor, 1, sep - 1))
  fid = string.sub(floor, sep + 1)
end
for i = 2, #ARGV, 2 do
  local id, key = ARGV[i], ARGV[i + 1]
  local keep = false
  if key ~= '' then
    local k = tonumber(key)
    keep = (not fk) or k > fk or (k == fk and id > fid)
  end
  if keep then
    redis.call('ZADD', KEYS[1], key, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
local bound = tonumber(ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > bound then
  local cut = redis.call('ZRANGE', KEYS[1], n - bound - 1, n - bound - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - bound - 1)
  redis.call('SET', KEYS[2], cut[2] .. '|' .. cut[1])
end
return n
)lua");
  return kScript;
}

const redis::Script& RebuildScript() {
  static const redis::Script kScript(R"lua(
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
end
redis.call('SET', KEYS[2], ARGV[1])
return 1
)lua");
  return kScript;
}

const redis::Script& ReadScript() {
  static const redis::Script kScript(R"lua(
local floor = redis.call('GET', KEYS[2])
if not floor then return {0} end
local n = tonumber(ARGV[1])
local out = {1}
if floor == '-' then out[1] = 2 end
if not ARGV[2] then
  local r = redis.call('ZREVRANGE', KEYS[1], 0, n - 1, 'WITHSCORES')
  for i = 1, #r do out[#out + 1] = r[i] end
  return out
end
local ties = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2], 'WITHSCORES')
for i = 1, #ties, 2 do
  if (#out - 1) / 2 >= n then break end
  if ties[i] < ARGV[3] then
    out[#out + 1] = ties[i]
    out[#out + 1] = ties[i + 1]
  end
end
local need = n - (#out - 1) / 2
if need > 0 then
  local r = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '-inf', 'WITHSCORES',
                       'LIMIT', 0, need)
  for i = 1, #r do out[#out + 1] = r[i] end
end
return out
)lua");
  return kScript;
}

absl::StatusOr<std::optional<std::vector<Entry>>> ParseRead(const redis::Reply& reply) {
  return ParseRead(reply, nullptr);
}

absl::StatusOr<std::optional<std::vector<Entry>>> ParseRead(const redis::Reply& reply,
                                                            bool* complete) {
  if (reply.type != redis::Reply::Type::kArray || reply.elements.empty() ||
      reply.elements.size() % 2 != 1) {
    return absl::InternalError("ranking read script: unexpected reply");
  }
  if (complete != nullptr) *complete = reply.elements[0].integer == 2;
  if (reply.elements[0].integer == 0) return std::optional<std::vector<Entry>>();
  std::vector<Entry> entries;
  for (size_t i = 1; i + 1 < reply.elements.size(); i += 2) {
    Entry e;
    e.review_id = reply.elements[i].str;
    if (!absl::SimpleAtod(reply.elements[i + 1].str, &e.sort_key)) {
      return absl::InternalError("ranking read script: a score is not a number");
    }
    entries.push_back(std::move(e));
  }
  return std::optional<std::vector<Entry>>(std::move(entries));
}

}  // namespace candor::rankcache
