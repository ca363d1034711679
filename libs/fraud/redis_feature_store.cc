#include "libs/fraud/redis_feature_store.h"

#include <array>
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
//   KEYS = author, product counters, product signature index, product reviews (and new-account
//          reviews), product signatures, address set, device set;
//   ARGV = 'r', at, review id, user, asin, rating, verified (0/1), text length, creation claim
//          (ms, '' when none), signature (64 x uint32 LE, '' when the text has no words), has
//          address (0/1), has device (0/1), then, when there is a signature, its 16 band keys as
//          8 bytes big-endian and the same as signed 64-bit decimals (for BITFIELD).
//   Returns {new (0/1), first seen, prior n, verified, rating sum, rating square sum,
//            reviews 24 h, reviews 7 d, products 24 h, text length 7 d, product prior n,
//            product prior rating sum, product 1 h, 24 h, 30 d, product new-account 24 h,
//            rejected on the address, rejected on the device, then (user, signature) per
//            near-duplicate candidate}.
// Every read happens before this review's writes (or leaves the review out), so the counts are
// "the others, plus this review", and a redelivery (its author entry already there) reads the
// same way and writes nothing. The author and the product's counters are msgpack blobs written
// whole with their TTL (SET PX); times are milliseconds, exact in Lua's doubles.
constexpr char kScriptTemplate[] = R"lua(
local DAY = 86400000
local function above(x) return '(' .. string.format('%.0f', x) end
local function upto(x) return string.format('%.0f', x) end
local function max(a, b) if a > b then return a end return b end

if ARGV[1] == 'm' then
  local key = KEYS[1]
  redis.call('ZADD', key, 'GT', ARGV[2], ARGV[3])
  local top = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
  redis.call('ZREMRANGEBYSCORE', key, '-inf', upto(tonumber(top[2]) - @REJECTED_WINDOW@))
  redis.call('ZREMRANGEBYRANK', key, 0, -(@REJECTED_CAP@ + 1))
  redis.call('PEXPIRE', key, @WINDOW_TTL@)
  return 1
end

local ats = ARGV[2]
local at = tonumber(ats)
local id, user, asin = ARGV[3], ARGV[4], ARGV[5]
local rating, verified, len = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local claim = tonumber(ARGV[9])
local sig = ARGV[10]
local blobs = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])

-- The author: {n, verified, rating sum, square sum, first seen, newest, then (time, entry)
-- pairs by time, equal times in the order recorded}.
local a = blobs[1] and cmsgpack.unpack(blobs[1]) or {0, 0, 0, 0, at, at}
local entry = ARGV[8] .. ':' .. #asin .. ':' .. asin .. id
local is_new, pos = true, #a + 1
local c24, c7, len7, d24 = 1, 1, len, 1
local products = {[asin] = true}
for i = 7, #a, 2 do
  local t, e = a[i], a[i + 1]
  if e == entry then
    is_new = false
  elseif t > at - 7 * DAY and t <= at then
    local l, al, p = string.match(e, '^(%d+):(%d+):()')
    c7 = c7 + 1
    len7 = len7 + tonumber(l)
    if t > at - DAY then
      c24 = c24 + 1
      local x = string.sub(e, p, p + tonumber(al) - 1)
      if not products[x] then
        products[x] = true
        d24 = d24 + 1
      end
    end
  end
  if t > at and pos > i then pos = i end
end
local n, v, s, q = a[1], a[2], a[3], a[4]
local first = a[5]
if at < first then first = at end
if is_new then
  local newest = max(a[6], at)
  local w = {n + 1, v + verified, s + rating, q + rating * rating, first, newest}
  local kept = {}
  for i = 7, #a + 1, 2 do
    if i == pos and at > newest - @USER_KEEP@ then
      kept[#kept + 1] = at
      kept[#kept + 1] = entry
    end
    if i <= #a and a[i] > newest - @USER_KEEP@ then
      kept[#kept + 1] = a[i]
      kept[#kept + 1] = a[i + 1]
    end
  end
  for i = max(1, #kept - 2 * @USER_CAP@ + 1), #kept do w[#w + 1] = kept[i] end
  redis.call('SET', KEYS[1], cmsgpack.pack(w), 'PX', @COUNTERS_TTL@)
else
  n, v, s, q = n - 1, v - verified, s - rating, q - rating * rating
end
local new_account = at - (claim or first) < @NEW_ACCOUNT_AGE@

-- The product: {n, rating sum, newest, signatures recorded}. Its windows start no earlier than
-- what is kept behind its newest time (top), trimmed yet or not.
local pc = blobs[2] and cmsgpack.unpack(blobs[2]) or {0, 0, at, 0}
local pcount, psum, seq = pc[1], pc[2], pc[4]
local top = max(pc[3], at)
local kept_from = top - @PRODUCT_KEEP@
-- The product's reviews and its new-account reviews share one sorted set: a review at its time,
-- a new-account review also as '\0' .. id at NEW + its time (above every time).
local pr, NEW = KEYS[4], 4503599627370496
local p1 = redis.call('ZCOUNT', pr, above(max(at - 3600000, kept_from)), ats)
local p24 = redis.call('ZCOUNT', pr, above(max(at - DAY, kept_from)), ats)
local p30 = redis.call('ZCOUNT', pr, above(max(at - 30 * DAY, kept_from)), ats)
local pnew = redis.call('ZCOUNT', pr, above(NEW + max(at - DAY, top - DAY)), NEW + at)
if not is_new then
  pcount, psum = pcount - 1, psum - rating
  if at > kept_from and tonumber(redis.call('ZSCORE', pr, id)) == at then
    p1, p24, p30 = p1 - 1, p24 - 1, p30 - 1
  end
  if at > top - DAY and tonumber(redis.call('ZSCORE', pr, '\0' .. id)) == NEW + at then
    pnew = pnew - 1
  end
end
p1, p24, p30 = p1 + 1, p24 + 1, p30 + 1
if new_account then pnew = pnew + 1 end
local writes = is_new and sig ~= '' and at > top - @NEAR_WINDOW@
if is_new then
  local n2 = pcount + 1
  redis.call('SET', KEYS[2], cmsgpack.pack({n2, psum + rating, top, writes and seq + 1 or seq}),
             'PX', @COUNTERS_TTL@)
  if new_account then
    redis.call('ZADD', pr, ats, id, NEW + at, '\0' .. id)
  else
    redis.call('ZADD', pr, ats, id)
  end
  redis.call('PEXPIRE', pr, @WINDOW_TTL@)
  if n2 % @TRIM_EVERY@ == 0 then
    local split = NEW / 2
    redis.call('ZREMRANGEBYSCORE', pr, '-inf', upto(kept_from))
    redis.call('ZREMRANGEBYSCORE', pr, split, upto(NEW + top - DAY))
    local times = redis.call('ZCOUNT', pr, '-inf', split)
    if times > @PRODUCT_CAP@ then redis.call('ZREMRANGEBYRANK', pr, 0, times - @PRODUCT_CAP@ - 1) end
    local fresh = redis.call('ZCARD', pr) - times
    if fresh > @PRODUCT_CAP@ then
      redis.call('ZREMRANGEBYRANK', pr, times, times + fresh - @PRODUCT_CAP@ - 1)
    end
  end
end

local out = {is_new and 1 or 0, first, n, v, s, q, c24, c7, d24, len7, pcount, psum, p1, p24,
             p30, pnew, 0, 0}

-- Near-duplicate text. The product's signatures sit in SIGNATURES slots, the nth recorded in
-- slot n % SIGNATURES. The index (KEYS[3], a string) holds the band keys band-major: band b of
-- slot s at byte ((b * cap) + s) * 8, big-endian, for cap = #index / 128 slots (doubled when a
-- slot needs it; empty slots hold zeros). The record of slot s is field 'r<s>' of KEYS[5]:
-- {id length, user length, at} (struct '>I4I4d'), the id, the user and the signature.
if sig ~= '' then
  local N = @SIGNATURES@
  local idx = blobs[3] or ''
  local cap = #idx / (8 * @BANDS@)
  local zero = string.rep('\0', 8)
  local cands, chosen = {}, {}
  if cap > 0 then
    local function newer(x, y) return (seq - x) % N < (seq - y) % N end
    for b = 0, @BANDS@ - 1 do
      if #cands >= @CANDIDATES@ then break end
      local key = ARGV[13 + b]
      if key ~= zero then
        local base, hits = b * cap * 8, {}
        local from, last = base + 1, base + cap * 8
        while true do
          local p = string.find(idx, key, from, true)
          if not p or p > last then break end
          if (p - 1 - base) % 8 == 0 then hits[#hits + 1] = (p - 1 - base) / 8 end
          from = p + 1
        end
        if #hits > 1 then table.sort(hits, newer) end
        for _, slot in ipairs(hits) do
          if not chosen[slot] then
            chosen[slot] = true
            cands[#cands + 1] = 'r' .. slot
            if #cands >= @CANDIDATES@ then break end
          end
        end
      end
    end
  end
  if #cands > 0 then
    local recs = redis.call('HMGET', KEYS[5], unpack(cands))
    local lower = max(at, top) - @NEAR_WINDOW@
    for i = 1, #recs do
      local rec = recs[i]
      if rec then
        local il, ul, rat, p = struct.unpack('>I4I4d', rec)
        if rat > lower and string.sub(rec, p, p + il - 1) ~= id then
          local ru = string.sub(rec, p + il, p + il + ul - 1)
          if ru ~= user then
            out[#out + 1] = ru
            out[#out + 1] = string.sub(rec, p + il + ul)
          end
        end
      end
    end
  end
  if writes then
    -- This review takes the next slot, in place of the signature recorded there before.
    local slot = (seq + 1) % N
    local want = cap
    if want == 0 then want = 4 end
    while want <= slot and want < N do want = want * 2 end
    if want > N then want = N end
    if want ~= cap then
      -- A new or grown index (a product's first signature, or a doubling): written whole, this
      -- review's keys included.
      local parts = {}
      for b = 0, @BANDS@ - 1 do
        local block = ''
        if cap > 0 then block = string.sub(idx, b * cap * 8 + 1, (b + 1) * cap * 8) end
        block = block .. string.rep('\0', (want - cap) * 8)
        parts[#parts + 1] = string.sub(block, 1, slot * 8)
        parts[#parts + 1] = ARGV[13 + b]
        parts[#parts + 1] = string.sub(block, slot * 8 + 9)
      end
      redis.call('SET', KEYS[3], table.concat(parts), 'PX', @WINDOW_TTL@)
    else
      local ops = {}
      for b = 0, @BANDS@ - 1 do
        ops[#ops + 1] = 'SET'
        ops[#ops + 1] = 'i64'
        ops[#ops + 1] = '#' .. (b * cap + slot)
        ops[#ops + 1] = ARGV[13 + @BANDS@ + b]
      end
      redis.call('BITFIELD', KEYS[3], unpack(ops))
      redis.call('PEXPIRE', KEYS[3], @WINDOW_TTL@)
    end
    redis.call('HSET', KEYS[5], 'r' .. slot, struct.pack('>I4I4d', #id, #user, at) .. id .. user .. sig)
    redis.call('PEXPIRE', KEYS[5], @WINDOW_TTL@)
  end
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
if ARGV[11] == '1' then out[17] = rejected(KEYS[6]) end
if ARGV[12] == '1' then out[18] = rejected(KEYS[7]) end
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
          {"@TRIM_EVERY@", absl::StrCat(kTrimEvery)},
          {"@USER_CAP@", absl::StrCat(l.user_reviews)},
          {"@NEW_ACCOUNT_AGE@", absl::StrCat(kNewAccountAgeMs)},
          {"@PRODUCT_KEEP@", absl::StrCat(kProductKeepMs)},
          {"@PRODUCT_CAP@", absl::StrCat(l.product_reviews)},
          {"@SIGNATURES@", absl::StrCat(l.product_signatures)},
          {"@BANDS@", absl::StrCat(kLshBands)},
          {"@CANDIDATES@", absl::StrCat(l.near_dup_candidates)},
          {"@NEAR_WINDOW@", absl::StrCat(kNearDupWindowMs)},
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

std::string RedisFeatureStore::AuthorKey(const std::string& user_id) const {
  return absl::StrCat(prefix_, "u:", redis::HashTag(user_id));
}
std::string RedisFeatureStore::ProductReviewsKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":r");
}
std::string RedisFeatureStore::ProductCountersKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":c");
}
std::string RedisFeatureStore::ProductIndexKey(const std::string& asin) const {
  return absl::StrCat(prefix_, "p:", redis::HashTag(asin), ":i");
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
  call.keys = {AuthorKey(r.user_id),      ProductCountersKey(r.asin), ProductIndexKey(r.asin),
               ProductReviewsKey(r.asin), ProductTextKey(r.asin),     AddressKey(r.client_ip),
               DeviceKey(r.device_id)};
  const bool has_text = !IsEmptySignature(r.signature);
  std::string sig;
  if (has_text) {
    sig.reserve(kSignatureBytes);
    for (uint32_t v : r.signature) PutLe(sig, v, 4);
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
               r.client_ip.empty() ? "0" : "1",
               r.device_id.empty() ? "0" : "1"};
  if (has_text) {
    std::array<uint64_t, kLshBands> keys{};
    for (int b = 0; b < kLshBands; ++b) keys[static_cast<std::size_t>(b)] = BandKey(r.signature, b);
    for (uint64_t key : keys) {
      std::string be(8, '\0');
      for (int i = 0; i < 8; ++i)
        be[static_cast<std::size_t>(i)] = static_cast<char>(key >> (56 - 8 * i));
      call.args.push_back(std::move(be));
    }
    // BITFIELD's i64 stores the two's complement big-endian: the same 8 bytes.
    for (uint64_t key : keys) call.args.push_back(absl::StrCat(static_cast<int64_t>(key)));
  }
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
