#include "libs/fraud/redis_feature_store.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/redis/hash_tag.h"

namespace candor::fraud {
namespace {

// One script, two modes (README.md, "Redis keys", has the layout and the reasons):
// 'm' marks one rejected account on one address or device set:
//   KEYS[1] = the set; ARGV = 'm', at (ms), user.
// 'r' records one review and returns its raw numbers:
//   KEYS = author reviews, author counters, product reviews, product new-account reviews,
//          product counters, product text, address set, device set;
//   ARGV = 'r', at, review id, user, asin, rating, verified (0/1), text length, creation claim
//          (ms, '' when none), signature (64 x uint32 LE, '' when the text has no words), band
//          keys (16 x uint64 LE), has address (0/1), has device (0/1).
//   Returns {new (0/1), first seen, prior n, verified, rating sum, rating square sum,
//            reviews 24 h, reviews 7 d, products 24 h, text length 7 d, product prior n,
//            product prior rating sum, product 1 h, 24 h, 30 d, product new-account 24 h,
//            rejected on the address, rejected on the device, then (user, signature) per
//            near-duplicate candidate}.
// Every read happens before this review's writes (or excludes the review), so the counts are
// "the others, plus this review", and a redelivery (its author entry already there) reads the
// same way and writes nothing. Numbers go to Redis as Lua numbers or '%.0f' strings: exact for
// milliseconds (doubles hold integers to 2^53).
constexpr char kScriptTemplate[] = R"lua(
local DAY = 86400000
local function num(x) return string.format('%.0f', x) end
local function above(x) return '(' .. string.format('%.0f', x) end

if ARGV[1] == 'm' then
  local key = KEYS[1]
  redis.call('ZADD', key, 'GT', ARGV[2], ARGV[3])
  local top = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
  redis.call('ZREMRANGEBYSCORE', key, '-inf', num(tonumber(top[2]) - @REJECTED_WINDOW@))
  redis.call('ZREMRANGEBYRANK', key, 0, -(@REJECTED_CAP@ + 1))
  redis.call('PEXPIRE', key, @WINDOW_TTL@)
  return 1
end

local ur, uh, pr, pn, ph, pl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local ats = ARGV[2]
local at = tonumber(ats)
local id, user, asin = ARGV[3], ARGV[4], ARGV[5]
local rating, verified, len = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local claim = tonumber(ARGV[9])
local sig, bands = ARGV[10], ARGV[11]

-- The author: a new review is one whose entry was not there.
local entry = ARGV[8] .. ':' .. #asin .. ':' .. asin .. id
local is_new = redis.call('ZADD', ur, 'NX', ats, entry) == 1
local u = redis.call('HMGET', uh, 'n', 'v', 's', 'q', 'f', 't')
local n, v, s, q = tonumber(u[1]) or 0, tonumber(u[2]) or 0, tonumber(u[3]) or 0, tonumber(u[4]) or 0
local first = tonumber(u[5])
if first == nil or at < first then first = at end
local c24, c7, len7, d24 = 1, 1, len, 1
local products = {[asin] = true}
local rows = redis.call('ZRANGEBYSCORE', ur, above(at - 7 * DAY), ats, 'WITHSCORES')
for i = 1, #rows, 2 do
  local m = rows[i]
  if m ~= entry then
    local l, al, p = string.match(m, '^(%d+):(%d+):()')
    c7 = c7 + 1
    len7 = len7 + tonumber(l)
    if tonumber(rows[i + 1]) > at - DAY then
      c24 = c24 + 1
      local a = string.sub(m, p, p + tonumber(al) - 1)
      if not products[a] then
        products[a] = true
        d24 = d24 + 1
      end
    end
  end
end
if is_new then
  local newest = tonumber(u[6])
  if newest == nil or at > newest then newest = at end
  redis.call('HSET', uh, 'n', n + 1, 'v', v + verified, 's', s + rating,
             'q', q + rating * rating, 'f', first, 't', newest)
  redis.call('PEXPIRE', uh, @COUNTERS_TTL@)
  redis.call('ZREMRANGEBYSCORE', ur, '-inf', num(newest - @USER_KEEP@))
  redis.call('ZREMRANGEBYRANK', ur, 0, -(@USER_CAP@ + 1))
  redis.call('PEXPIRE', ur, @WINDOW_TTL@)
else
  n, v, s, q = n - 1, v - verified, s - rating, q - rating * rating
end
local new_account = at - (claim or first) < @NEW_ACCOUNT_AGE@

-- The product.
local p = redis.call('HMGET', ph, 'n', 's', 't')
local pc, ps = tonumber(p[1]) or 0, tonumber(p[2]) or 0
local p1 = redis.call('ZCOUNT', pr, above(at - 3600000), ats)
local p24 = redis.call('ZCOUNT', pr, above(at - DAY), ats)
local p30 = redis.call('ZCOUNT', pr, above(at - 30 * DAY), ats)
local pnew = redis.call('ZCOUNT', pn, above(at - DAY), ats)
if not is_new then
  pc, ps = pc - 1, ps - rating
  if tonumber(redis.call('ZSCORE', pr, id)) == at then p1, p24, p30 = p1 - 1, p24 - 1, p30 - 1 end
  if tonumber(redis.call('ZSCORE', pn, id)) == at then pnew = pnew - 1 end
end
p1, p24, p30 = p1 + 1, p24 + 1, p30 + 1
if new_account then pnew = pnew + 1 end

-- removed: reviews whose signature records go (trimmed by time, or pushed out of the newest
-- SIGNATURES by this one); keeps: whether this review keeps its signature.
local removed, keeps = {}, false
if is_new then
  local newest = tonumber(p[3])
  if newest == nil or at > newest then newest = at end
  redis.call('HSET', ph, 'n', pc + 1, 's', ps + rating, 't', newest)
  redis.call('PEXPIRE', ph, @COUNTERS_TTL@)
  redis.call('ZADD', pr, ats, id)
  local horizon = num(newest - @PRODUCT_KEEP@)
  removed = redis.call('ZREVRANGEBYSCORE', pr, horizon, '-inf', 'LIMIT', 0, @SIGNATURES@)
  if #removed > 0 then redis.call('ZREMRANGEBYSCORE', pr, '-inf', horizon) end
  redis.call('ZREMRANGEBYRANK', pr, 0, -(@PRODUCT_CAP@ + 1))
  redis.call('PEXPIRE', pr, @WINDOW_TTL@)
  if new_account then redis.call('ZADD', pn, ats, id) end
  redis.call('ZREMRANGEBYSCORE', pn, '-inf', num(newest - DAY))
  if new_account then
    redis.call('ZREMRANGEBYRANK', pn, 0, -(@PRODUCT_CAP@ + 1))
    redis.call('PEXPIRE', pn, @WINDOW_TTL@)
  end
  if at > newest - @PRODUCT_KEEP@ then
    local e = redis.call('ZREVRANGE', pr, @SIGNATURES@, @SIGNATURES@, 'WITHSCORES')
    if #e == 0 then
      keeps = true
    elseif e[1] ~= id then
      local es = tonumber(e[2])
      if es == at then
        local rank = redis.call('ZREVRANK', pr, id)
        keeps = rank ~= false and rank < @SIGNATURES@
      else
        keeps = es < at
      end
      if keeps then removed[#removed + 1] = e[1] end
    end
  end
end

local out = {is_new and 1 or 0, first, n, v, s, q, c24, c7, d24, len7, pc, ps, p1, p24, p30, pnew,
             0, 0}

-- Near-duplicate text: candidates from this review's LSH buckets, newest first, band by band.
local own_fields, lists = {}, {}
if sig ~= '' then
  for b = 0, @BANDS@ - 1 do own_fields[b + 1] = 'b' .. string.sub(bands, b * 8 + 1, b * 8 + 8) end
  local packed = redis.call('HMGET', pl, unpack(own_fields))
  for b = 1, @BANDS@ do
    lists[own_fields[b]] = packed[b] and cmsgpack.unpack(packed[b]) or {}
  end
  local cands, chosen = {}, {}
  for b = 1, @BANDS@ do
    if #cands >= @CANDIDATES@ then break end
    local ids = lists[own_fields[b]]
    for i = #ids, 1, -1 do
      local c = ids[i]
      if c ~= id and not chosen[c] then
        chosen[c] = true
        cands[#cands + 1] = 'r' .. c
        if #cands >= @CANDIDATES@ then break end
      end
    end
  end
  if #cands > 0 then
    local recs = redis.call('HMGET', pl, unpack(cands))
    for i = 1, #recs do
      if recs[i] then
        local r = cmsgpack.unpack(recs[i])
        if r[2] ~= user and r[1] > at - @NEAR_WINDOW@ then
          out[#out + 1] = r[2]
          out[#out + 1] = r[3]
        end
      end
    end
  end
end

if is_new then
  local dirty, sets, dels = {}, {}, {}
  if #removed > 0 then
    local fields = {}
    for i = 1, #removed do fields[i] = 'r' .. removed[i] end
    local recs = redis.call('HMGET', pl, unpack(fields))
    local strip = {}
    for i = 1, #recs do
      if recs[i] then
        local r = cmsgpack.unpack(recs[i])
        dels[#dels + 1] = fields[i]
        for b = 0, @BANDS@ - 1 do
          local f = 'b' .. string.sub(r[4], b * 8 + 1, b * 8 + 8)
          strip[f] = strip[f] or {}
          strip[f][removed[i]] = true
        end
      end
    end
    local need = {}
    for f in pairs(strip) do
      if lists[f] == nil then need[#need + 1] = f end
    end
    if #need > 0 then
      local got = redis.call('HMGET', pl, unpack(need))
      for i = 1, #need do lists[need[i]] = got[i] and cmsgpack.unpack(got[i]) or {} end
    end
    for f, gone in pairs(strip) do
      local kept = {}
      for _, x in ipairs(lists[f]) do
        if not gone[x] then kept[#kept + 1] = x end
      end
      lists[f] = kept
      dirty[f] = true
    end
  end
  if keeps and sig ~= '' then
    for b = 1, @BANDS@ do
      local f = own_fields[b]
      local ids = lists[f]
      if ids[#ids] ~= id then
        ids[#ids + 1] = id
        if #ids > @BUCKET_CAP@ then
          local kept = {}
          for i = #ids - @BUCKET_CAP@ + 1, #ids do kept[#kept + 1] = ids[i] end
          lists[f] = kept
        end
        dirty[f] = true
      end
    end
    sets[1] = 'r' .. id
    sets[2] = cmsgpack.pack({at, user, sig, bands})
  end
  for f in pairs(dirty) do
    local ids = lists[f]
    if #ids > 0 then
      sets[#sets + 1] = f
      sets[#sets + 1] = cmsgpack.pack(ids)
    else
      dels[#dels + 1] = f
    end
  end
  if #dels > 0 then redis.call('HDEL', pl, unpack(dels)) end
  if #sets > 0 then redis.call('HSET', pl, unpack(sets)) end
  redis.call('PEXPIRE', pl, @WINDOW_TTL@)
end

-- Accounts already rejected on this address and device (this author's own rejection aside).
local function rejected(key)
  local c = redis.call('ZCOUNT', key, above(at - @REJECTED_WINDOW@), '+inf')
  if c > 0 then
    local own = tonumber(redis.call('ZSCORE', key, user))
    if own and own > at - @REJECTED_WINDOW@ then c = c - 1 end
  end
  return c
end
if ARGV[12] == '1' then out[17] = rejected(KEYS[7]) end
if ARGV[13] == '1' then out[18] = rejected(KEYS[8]) end
return out
)lua";

constexpr std::size_t kFixedReplies = 18;
constexpr std::size_t kSignatureBytes = kMinHashSize * 4;

std::string ScriptSource(const FeatureStoreLimits& l) {
  return absl::StrReplaceAll(
      kScriptTemplate,
      {
          {"@REJECTED_WINDOW@", absl::StrCat(kRejectedWindowMs)},
          {"@REJECTED_CAP@", absl::StrCat(l.rejected_accounts)},
          {"@WINDOW_TTL@", absl::StrCat(absl::ToInt64Milliseconds(l.window_ttl))},
          {"@COUNTERS_TTL@", absl::StrCat(absl::ToInt64Milliseconds(l.counters_ttl))},
          {"@USER_KEEP@", absl::StrCat(kUserKeepMs)},
          {"@USER_CAP@", absl::StrCat(l.user_reviews)},
          {"@NEW_ACCOUNT_AGE@", absl::StrCat(kNewAccountAgeMs)},
          {"@PRODUCT_KEEP@", absl::StrCat(kProductKeepMs)},
          {"@PRODUCT_CAP@", absl::StrCat(l.product_reviews)},
          {"@SIGNATURES@", absl::StrCat(l.product_signatures)},
          {"@BANDS@", absl::StrCat(kLshBands)},
          {"@CANDIDATES@", absl::StrCat(l.near_dup_candidates)},
          {"@NEAR_WINDOW@", absl::StrCat(kNearDupWindowMs)},
          {"@BUCKET_CAP@", absl::StrCat(l.bucket_reviews)},
      });
}

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

TextSignature SignatureFromBytes(std::string_view b) {
  TextSignature s{};
  for (std::size_t i = 0; i < s.size(); ++i) {
    uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      v |= static_cast<uint32_t>(static_cast<unsigned char>(b[i * 4 + k])) << (8 * k);
    }
    s[i] = v;
  }
  return s;
}

}  // namespace

RedisFeatureStore::RedisFeatureStore(redis::Client& client, const core::Clock& clock,
                                     FeatureStoreLimits limits, std::string key_prefix,
                                     absl::Duration cooldown)
    : client_(client),
      clock_(clock),
      limits_(limits),
      prefix_(std::move(key_prefix)),
      cooldown_(cooldown),
      script_(ScriptSource(limits)) {
  if (absl::Status s = ValidateLimits(limits_); !s.ok()) {
    std::fprintf(stderr, "RedisFeatureStore: %s\n", std::string(s.message()).c_str());
    std::abort();
  }
}

std::string RedisFeatureStore::AuthorReviewsKey(const std::string& user_id) const {
  return absl::StrCat(prefix_, "u:", redis::HashTag(user_id), ":r");
}
std::string RedisFeatureStore::AuthorCountersKey(const std::string& user_id) const {
  return absl::StrCat(prefix_, "u:", redis::HashTag(user_id), ":h");
}
std::string RedisFeatureStore::ProductReviewsKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":r");
}
std::string RedisFeatureStore::ProductNewAccountKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":n");
}
std::string RedisFeatureStore::ProductCountersKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":h");
}
std::string RedisFeatureStore::ProductTextKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":t");
}
std::string RedisFeatureStore::AddressKey(const std::string& client_ip) const {
  return absl::StrCat(prefix_, "ip:", redis::HashTag(client_ip));
}
std::string RedisFeatureStore::DeviceKey(const std::string& device_id) const {
  return absl::StrCat(prefix_, "dev:", redis::HashTag(device_id));
}

redis::ScriptCall RedisFeatureStore::RecordCall(const ReviewFacts& r) const {
  redis::ScriptCall call;
  call.keys = {AuthorReviewsKey(r.user_id), AuthorCountersKey(r.user_id),
               ProductReviewsKey(r.asin),   ProductNewAccountKey(r.asin),
               ProductCountersKey(r.asin),  ProductTextKey(r.asin),
               AddressKey(r.client_ip),     DeviceKey(r.device_id)};
  std::string sig;
  std::string bands;
  if (!IsEmptySignature(r.signature)) {
    sig.reserve(kSignatureBytes);
    for (uint32_t v : r.signature) PutLe(sig, v, 4);
    bands.reserve(kLshBands * 8);
    for (int b = 0; b < kLshBands; ++b) PutLe(bands, BandKey(r.signature, b), 8);
  }
  call.args = {"r",
               absl::StrCat(ToMs(r.at)),
               r.review_id,
               r.user_id,
               r.asin,
               absl::StrCat(r.rating),
               r.verified_purchase ? "1" : "0",
               absl::StrCat(r.text_length),
               r.account_created ? absl::StrCat(ToMs(*r.account_created)) : "",
               std::move(sig),
               std::move(bands),
               r.client_ip.empty() ? "0" : "1",
               r.device_id.empty() ? "0" : "1"};
  return call;
}

absl::StatusOr<FeatureRow> RedisFeatureStore::ParseRow(const ReviewFacts& r,
                                                       const redis::Reply& reply) const {
  const std::vector<redis::Reply>& e = reply.elements;
  if (reply.type != redis::Reply::Type::kArray || e.size() < kFixedReplies ||
      (e.size() - kFixedReplies) % 2 != 0) {
    return absl::InternalError("feature store: unexpected script reply");
  }
  for (std::size_t i = 0; i < kFixedReplies; ++i) {
    if (e[i].type != redis::Reply::Type::kInteger) {
      return absl::InternalError("feature store: unexpected script reply");
    }
  }
  auto at = [&](std::size_t i) { return e[i].integer; };
  RawFeatures raw;
  ApplyReviewFacts(r, AccountCreatedMs(r, at(1)), raw);
  raw.prior_reviews = at(2);
  raw.prior_verified = at(3);
  raw.prior_rating_sum = at(4);
  raw.prior_rating_square_sum = at(5);
  raw.reviews_24h = at(6);
  raw.reviews_7d = at(7);
  raw.distinct_products_24h = at(8);
  raw.text_length_sum_7d = at(9);
  raw.product_prior_reviews = at(10);
  raw.product_prior_rating_sum = at(11);
  raw.product_reviews_1h = at(12);
  raw.product_reviews_24h = at(13);
  raw.product_reviews_30d = at(14);
  raw.product_new_account_reviews_24h = at(15);
  raw.shared_ip_rejected = at(16);
  raw.shared_device_rejected = at(17);
  if (e.size() > kFixedReplies) {
    std::vector<TextSignature> sigs;
    sigs.reserve((e.size() - kFixedReplies) / 2);
    std::vector<NearDupCandidate> candidates;
    candidates.reserve(sigs.capacity());
    for (std::size_t i = kFixedReplies; i < e.size(); i += 2) {
      if (e[i + 1].str.size() != kSignatureBytes) {
        return absl::InternalError("feature store: a stored signature has the wrong size");
      }
      sigs.push_back(SignatureFromBytes(e[i + 1].str));
    }
    for (std::size_t k = 0; k < sigs.size(); ++k) {
      candidates.push_back({e[kFixedReplies + 2 * k].str, &sigs[k]});
    }
    ApplyNearDup(r.signature, candidates, raw);
  }
  return ComputeFeatures(raw);
}

std::vector<absl::StatusOr<FeatureRow>> RedisFeatureStore::RecordBatch(
    const std::vector<ReviewFacts>& reviews) {
  std::vector<absl::StatusOr<FeatureRow>> out;
  if (reviews.empty() && marks_.empty()) return out;
  if (clock_.Now() < skip_until_) {
    out.assign(reviews.size(),
               absl::UnavailableError("feature store: skipped, Redis failed moments ago"));
    return out;
  }
  std::vector<redis::ScriptCall> calls;
  calls.reserve(marks_.size() + reviews.size());
  calls.insert(calls.end(), marks_.begin(), marks_.end());
  const std::size_t marks = marks_.size();
  for (const ReviewFacts& r : reviews) calls.push_back(RecordCall(r));
  auto replies = client_.EvalPipeline(script_, calls);
  if (!replies.ok()) {
    // The marks stay queued: marking twice changes nothing.
    skip_until_ = clock_.Now() + cooldown_;
    out.assign(reviews.size(),
               absl::UnavailableError(absl::StrCat("feature store: ", replies.status().message())));
    return out;
  }
  for (std::size_t i = 0; i < marks; ++i) {
    if (!(*replies)[i].ok()) ++failed_marks_;
  }
  marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(marks));
  out.reserve(reviews.size());
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    absl::StatusOr<redis::Reply>& r = (*replies)[marks + i];
    if (!r.ok()) {
      out.push_back(
          absl::Status(r.status().code(), absl::StrCat("feature store: ", r.status().message())));
      continue;
    }
    out.push_back(ParseRow(reviews[i], *r));
  }
  return out;
}

void RedisFeatureStore::MarkRejected(const std::vector<ReviewFacts>& reviews) {
  for (const ReviewFacts& r : reviews) {
    const std::string at = absl::StrCat(ToMs(r.at));
    if (!r.client_ip.empty()) marks_.push_back({{AddressKey(r.client_ip)}, {"m", at, r.user_id}});
    if (!r.device_id.empty()) marks_.push_back({{DeviceKey(r.device_id)}, {"m", at, r.user_id}});
  }
  while (marks_.size() > kMaxQueuedMarks) marks_.pop_front();
}

}  // namespace candor::fraud
