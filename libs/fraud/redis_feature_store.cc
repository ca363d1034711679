#include "libs/fraud/redis_feature_store.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "libs/redis/hash_tag.h"

namespace candor::fraud {
namespace {

// One script, two modes (README.md, "Redis keys", has the layout and the reasons):
// 'm' marks one rejected account on one address or device set:
//   KEYS[1] = the set; ARGV = 'm', at (ms), user.
// 'b' records a batch of reviews, in order, and returns their raw numbers:
//   KEYS = per review, seven keys: author, product counters, product reviews (and new-account
//          reviews), product signature records, product signature index, address set, device
//          set;
//   ARGV = 'b', the wall clock (ms), then per review its facts packed (AddReview): rating,
//          verified, has a creation claim, has an address, has a device, has a signature
//          (bytes), the claim and the text length (doubles), then as 4-byte big-endian lengths
//          and bytes: at (ms, decimal), its author entry (AuthorEntry), review id, user, asin,
//          and the bounds of its windows as ZCOUNT takes them ('(' at - 1 h, '(' at - 24 h,
//          '(' at - 30 d, '(' NEW + at - 24 h, NEW + at, '(' at - 30 d for rejections); then
//          with a signature, the signature (64 x uint32 LE) and its 16 band keys (8 bytes
//          big-endian each).
//   Returns per review either {new (0/1), first seen, prior n, verified, rating sum, rating
//   square sum, reviews 24 h, reviews 7 d, products 24 h, text length 7 d, product prior n,
//   product prior rating sum, product 1 h, 24 h, 30 d, product new-account 24 h, rejected on the
//   address, rejected on the device, then (user, signature) per near-duplicate candidate}, or
//   the text of the error that stopped it (each review runs in pcall; what it wrote before the
//   error stays, as with a failed script).
// Every read happens before the review's writes (or leaves the review out), so the counts are
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

local NOW = tonumber(ARGV[2])
local N = @SIGNATURES@
local ZERO_KEY = string.rep('\0', 8)
local BAND_KEYS = '>' .. string.rep('c8', @BANDS@)  -- a signature's band keys, one by one

-- A window's lower bound: the client's text of at - span, unless what is kept starts later.
local function from(at, span, text, kept_from)
  if at - span >= kept_from then return text end
  return above(kept_from)
end

-- Slots newest first, for table.sort (the product's signatures recorded, set before sorting).
local sorted_seq = 0
local function newer(x, y) return (sorted_seq - x) % N < (sorted_seq - y) % N end

-- Accounts already rejected on the address or device `key` after `lower`, `user`'s own aside.
local function rejected(key, user, at, lower)
  local c = redis.call('ZCOUNT', key, lower, '+inf')
  if c > 0 then
    local own = tonumber(redis.call('ZSCORE', key, user))
    if own and own > at - @REJECTED_WINDOW@ then c = c - 1 end
  end
  return c
end

-- Records the review packed in `arg`, whose keys are KEYS[k + 1] to KEYS[k + 7].
local function record(k, arg)
  local KA, KC, KR, KT, KI = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local rating, verified, has_claim, has_ip, has_dev, has_sig, claimv, len, ats, entry, id, user,
        asin, a1h, a24h, a30d, anew24h, anew, arejected, rest =
      struct.unpack('>i4BBBBBddI4c0I4c0I4c0I4c0I4c0I4c0I4c0I4c0I4c0I4c0I4c0', arg)
  local at = tonumber(ats)
  local claim = nil
  if has_claim == 1 then claim = claimv end
  local sig, bands = '', ''
  if has_sig == 1 then
    sig = string.sub(arg, rest, rest + @SIGNATURE_BYTES@ - 1)
    bands = string.sub(arg, rest + @SIGNATURE_BYTES@, rest + @SIGNATURE_BYTES@ + @SLOT_BYTES@ - 1)
  end
  local blobs = redis.call('MGET', KA, KC, KI)

  -- The author: {n, verified, rating sum, square sum, first seen, newest, then (time, entry)
  -- pairs by time, equal times in the order recorded}.
  local a = blobs[1] and cmsgpack.unpack(blobs[1]) or {0, 0, 0, 0, at, at}
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
    redis.call('SET', KA, cmsgpack.pack(w), 'PX', @COUNTERS_TTL@)
  else
    n, v, s, q = n - 1, v - verified, s - rating, q - rating * rating
  end
  local new_account = at - (claim or first) < @NEW_ACCOUNT_AGE@

  -- The product: {n, rating sum, newest, signatures recorded}. Its windows start no earlier than
  -- what is kept behind its newest time (top), trimmed yet or not.
  local pc = blobs[2] and cmsgpack.unpack(blobs[2]) or {0, 0, at, 0}
  -- refreshed: the wall clock when the window keys last got their TTL (nil: never).
  local pcount, psum, seq, refreshed = pc[1], pc[2], pc[4], pc[5]
  local top = max(pc[3], at)
  local kept_from = top - @PRODUCT_KEEP@
  -- The product's reviews and its new-account reviews share one sorted set: a review at its time,
  -- a new-account review also as '\0' .. id at NEW + its time (above every time). A product
  -- without counters has no windows either (they expire first): its counts are 0.
  local pr, NEW = KR, 4503599627370496
  local p1, p24, p30, pnew = 0, 0, 0, 0
  if blobs[2] then
    p1 = redis.call('ZCOUNT', pr, from(at, 3600000, a1h, kept_from), ats)
    p24 = redis.call('ZCOUNT', pr, from(at, DAY, a24h, kept_from), ats)
    p30 = redis.call('ZCOUNT', pr, from(at, 30 * DAY, a30d, kept_from), ats)
    local pnew_from = anew24h
    if at < top then pnew_from = above(NEW + (top - DAY)) end
    pnew = redis.call('ZCOUNT', pr, pnew_from, anew)
  end
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
  -- The product's window keys (reviews, signatures) get their TTL when refreshed is an hour of
  -- wall clock old (REFRESH), not on every write: TTL + REFRESH keeps each at least TTL after its
  -- last write. A key this review may create gets it at once: the reviews when none of their 30 d
  -- window was there (p30 counts this review), the signatures when there was no index.
  local refresh = is_new and (refreshed == nil or NOW - refreshed >= @REFRESH@ or NOW < refreshed)
  if is_new then
    local n2 = pcount + 1
    if new_account then
      redis.call('ZADD', pr, ats, id, anew, '\0' .. id)
    else
      redis.call('ZADD', pr, ats, id)
    end
    if n2 % @TRIM_EVERY@ == 0 then
      local split = NEW / 2
      redis.call('ZREMRANGEBYSCORE', pr, '-inf', upto(kept_from))
      redis.call('ZREMRANGEBYSCORE', pr, split, upto(NEW + top - DAY))
      local times = redis.call('ZCOUNT', pr, '-inf', split)
      if times > @PRODUCT_CAP@ then
        redis.call('ZREMRANGEBYRANK', pr, 0, times - @PRODUCT_CAP@ - 1)
      end
      local fresh = redis.call('ZCARD', pr) - times
      if fresh > @PRODUCT_CAP@ then
        redis.call('ZREMRANGEBYRANK', pr, times, times + fresh - @PRODUCT_CAP@ - 1)
      end
    end
    if refresh or p30 == 1 then redis.call('PEXPIRE', pr, @WINDOW_TTL@ + @REFRESH@) end
    if refresh then refreshed = NOW end
    redis.call('SET', KC,
               cmsgpack.pack({n2, psum + rating, top, writes and seq + 1 or seq, refreshed}), 'PX',
               @COUNTERS_TTL@)
  end

  local out = {is_new and 1 or 0, first, n, v, s, q, c24, c7, d24, len7, pcount, psum, p1, p24,
               p30, pnew, 0, 0}

  -- Near-duplicate text. The product's signatures sit in N slots, the nth recorded in slot
  -- n % N; the record of slot s is field 'r<s>' of the product's signature hash (KT):
  -- {id length, user length, at} (struct '>I4I4d'), the id, the user and the signature. The index
  -- (KI, a string) is slot-major: slot s's 16 band keys (8 bytes big-endian each) at byte
  -- s * SLOT_BYTES, as far as the highest slot written (empty slots hold zeros).
  if sig ~= '' then
    local idx = blobs[3] or ''
    local cands, chosen = {}, {}
    if idx ~= '' then
      sorted_seq = seq
      local keys = {struct.unpack(BAND_KEYS, bands)}
      for b = 0, @BANDS@ - 1 do
        if #cands >= @CANDIDATES@ then break end
        local key = keys[b + 1]
        if key ~= ZERO_KEY then
          local hits, from = {}, 1
          while true do
            local p = string.find(idx, key, from, true)
            if not p then break end
            -- A hit counts only in band b's column, and in a slot the current cap still has.
            local off = p - 1 - b * 8
            if off % @SLOT_BYTES@ == 0 and off / @SLOT_BYTES@ < N then
              hits[#hits + 1] = off / @SLOT_BYTES@
            end
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
      local recs = redis.call('HMGET', KT, unpack(cands))
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
      -- This review takes the next slot, in place of the signature recorded there before: its
      -- band keys written in place (SETRANGE pads a short index with zeros), its record beside.
      local slot = (seq + 1) % N
      local rec = struct.pack('>I4I4d', #id, #user, at) .. id .. user .. sig
      redis.call('SETRANGE', KI, slot * @SLOT_BYTES@, bands)
      redis.call('HSET', KT, 'r' .. slot, rec)
      if idx == '' and not refresh then
        -- Both keys are new (they are written, and expire, together).
        redis.call('PEXPIRE', KI, @WINDOW_TTL@ + @REFRESH@)
        redis.call('PEXPIRE', KT, @WINDOW_TTL@ + @REFRESH@)
      end
    end
  end
  if refresh and (seq > 0 or writes) then
    redis.call('PEXPIRE', KI, @WINDOW_TTL@ + @REFRESH@)
    redis.call('PEXPIRE', KT, @WINDOW_TTL@ + @REFRESH@)
  end

  -- Most addresses and devices have no rejected account: one EXISTS for both.
  local KP, KD = KEYS[k + 6], KEYS[k + 7]
  if (has_ip == 1 or has_dev == 1) and redis.call('EXISTS', KP, KD) > 0 then
    if has_ip == 1 then out[17] = rejected(KP, user, at, arejected) end
    if has_dev == 1 then out[18] = rejected(KD, user, at, arejected) end
  end
  return out
end

local out = {}
for i = 3, #ARGV do
  local ok, res = pcall(record, (i - 3) * 7, ARGV[i])
  if not ok then
    if type(res) == 'table' then res = res.err end
    res = tostring(res)
  end
  out[i - 2] = res
end
return out
)lua";

constexpr std::size_t kFixedReplies = 18;
constexpr std::size_t kSignatureBytes = kMinHashSize * 4;
constexpr std::size_t kSlotBytes = kLshBands * 8;  // one slot of the index: its band keys
constexpr std::size_t kKeysPerReview = 7;
// A new-account entry's score in a product's sorted set: 2^52 + its time (above every time).
constexpr int64_t kNewAccountEntryOffset = int64_t{1} << 52;

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
          {"@SIGNATURE_BYTES@", absl::StrCat(kSignatureBytes)},
          {"@SLOT_BYTES@", absl::StrCat(kSlotBytes)},
          {"@REFRESH@", absl::StrCat(absl::ToInt64Milliseconds(RedisFeatureStore::kTtlRefresh))},
      });
}

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutBe(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
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

void RedisFeatureStore::AddReview(const ReviewFacts& r, redis::ScriptCall& call) const {
  call.keys.push_back(AuthorKey(r.user_id));
  call.keys.push_back(ProductCountersKey(r.asin));
  call.keys.push_back(ProductReviewsKey(r.asin));
  call.keys.push_back(ProductTextKey(r.asin));
  call.keys.push_back(ProductIndexKey(r.asin));
  call.keys.push_back(AddressKey(r.client_ip));
  call.keys.push_back(DeviceKey(r.device_id));
  // The script's struct.unpack('>BBBBBBdd' .. 11 x 'I4c0'), then the signature and its band keys
  // when it has one.
  const bool has_text = !IsEmptySignature(r.signature);
  const int64_t at_ms = ToMs(r.at);
  const std::string at = absl::StrCat(at_ms);
  const std::string entry = AuthorEntry(r);
  // The windows' bounds as the script would format them from its doubles (exclusive ones with
  // '('), so that it need not format numbers itself: base + at - span, in the order the script
  // (and the committed one) adds them, so that a time beyond 2^52 ms rounds the same way.
  const bool exact = at_ms > -kNewAccountEntryOffset && at_ms < kNewAccountEntryOffset;
  const auto bound = [at_ms, exact](const char* prefix, int64_t base, int64_t span) {
    if (exact) return absl::StrCat(prefix, base + (at_ms - span));  // as exact as the doubles
    const double d = static_cast<double>(at_ms) - static_cast<double>(span);
    return absl::StrCat(prefix, absl::StrFormat("%.0f", static_cast<double>(base) + d));
  };
  const std::array<std::string, 6> bounds = {
      bound("(", 0, kHourMs),
      bound("(", 0, kDayMs),
      bound("(", 0, kWindow30dMs),
      bound("(", kNewAccountEntryOffset, kDayMs),
      bound("", kNewAccountEntryOffset, 0),
      bound("(", 0, kRejectedWindowMs),
  };
  std::string packed;
  packed.reserve(6 + 2 * 8 + 11 * 4 + at.size() + entry.size() + r.review_id.size() +
                 r.user_id.size() + r.asin.size() + 6 * 24 +
                 (has_text ? kSignatureBytes + kSlotBytes : 0));
  PutBe(packed, static_cast<uint32_t>(r.rating), 4);  // signed: struct's 'i4'
  packed.push_back(r.verified_purchase ? 1 : 0);
  packed.push_back(r.account_created ? 1 : 0);
  packed.push_back(r.client_ip.empty() ? 0 : 1);
  packed.push_back(r.device_id.empty() ? 0 : 1);
  packed.push_back(has_text ? 1 : 0);
  // The claim as the double Lua computes with (a claim may be any time, absl's infinite past
  // included).
  const double claim = r.account_created ? static_cast<double>(ToMs(*r.account_created)) : 0.0;
  PutBe(packed, std::bit_cast<uint64_t>(claim), 8);
  PutBe(packed, std::bit_cast<uint64_t>(static_cast<double>(r.text_length)), 8);
  for (const std::string* field : {&at, &entry, &r.review_id, &r.user_id, &r.asin}) {
    PutBe(packed, field->size(), 4);
    packed.append(*field);
  }
  for (const std::string& field : bounds) {
    PutBe(packed, field.size(), 4);
    packed.append(field);
  }
  if (has_text) {
    for (uint32_t v : r.signature) PutLe(packed, v, 4);
    for (int b = 0; b < kLshBands; ++b) PutBe(packed, BandKey(r.signature, b), 8);
  }
  call.args.push_back(std::move(packed));
}

absl::StatusOr<FeatureRow> RedisFeatureStore::ParseRow(const ReviewFacts& r,
                                                       const redis::Reply& reply) const {
  if (reply.type == redis::Reply::Type::kString) {
    return absl::InternalError(absl::StrCat("feature store: ", reply.str));
  }
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
  // The marks, then the reviews in calls of at most kMaxReviewsPerCall, all in one pipeline.
  std::vector<redis::ScriptCall> calls(marks_.begin(), marks_.end());
  const std::size_t marks = marks_.size();
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    if (i % kMaxReviewsPerCall == 0) {
      const std::size_t n = std::min(kMaxReviewsPerCall, reviews.size() - i);
      calls.emplace_back();
      calls.back().keys.reserve(n * kKeysPerReview);
      calls.back().args.reserve(n + 1);
      calls.back().args.emplace_back("b");
      calls.back().args.push_back(absl::StrCat(ToMs(clock_.Now())));
    }
    AddReview(reviews[i], calls.back());
  }
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
    const absl::StatusOr<redis::Reply>& call = (*replies)[marks + i / kMaxReviewsPerCall];
    if (!call.ok()) {
      // The whole call failed (a script that does not load, or an error outside the reviews).
      out.push_back(absl::Status(call.status().code(),
                                 absl::StrCat("feature store: ", call.status().message())));
      continue;
    }
    const std::size_t k = i % kMaxReviewsPerCall;
    if (call->type != redis::Reply::Type::kArray || k >= call->elements.size()) {
      out.push_back(absl::InternalError("feature store: unexpected script reply"));
      continue;
    }
    out.push_back(ParseRow(reviews[i], call->elements[k]));
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
