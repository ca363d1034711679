#include "libs/fraud/memory_feature_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace candor::fraud {

// The keys product rows are ordered by after their time.
struct MemoryFeatureStore::Keys {
  static const std::string& Product(const ProductRow& row) { return row.id; }
};

namespace {

// Rows of a product window ordered by (time, id); the id orders rows of equal time exactly as
// Redis orders sorted-set members of equal score (bytewise).
template <typename Row, typename KeyOf>
auto Find(const std::deque<Row>& rows, int64_t at, const std::string& key, KeyOf key_of) {
  return std::lower_bound(
      rows.begin(), rows.end(), std::pair<int64_t, const std::string*>(at, &key),
      [&](const Row& row, const std::pair<int64_t, const std::string*>& k) {
        return row.at < k.first || (row.at == k.first && key_of(row) < *k.second);
      });
}

// Inserts `row` in (time, key) order unless it is there (as ZADD).
template <typename Row, typename KeyOf>
void InsertRow(std::deque<Row>& rows, Row row, KeyOf key_of) {
  // Most reviews arrive in time order: check the back first.
  if (rows.empty() || rows.back().at < row.at ||
      (rows.back().at == row.at && key_of(rows.back()) < key_of(row))) {
    rows.push_back(std::move(row));
    return;
  }
  auto it = Find(rows, row.at, key_of(row), key_of);
  if (it != rows.end() && it->at == row.at && key_of(*it) == key_of(row)) return;
  rows.insert(it, std::move(row));
}

template <typename Row, typename KeyOf>
bool Contains(const std::deque<Row>& rows, int64_t at, const std::string& key, KeyOf key_of) {
  auto it = Find(rows, at, key, key_of);
  return it != rows.end() && it->at == at && key_of(*it) == key;
}

// Rows with time in (lo, hi].
template <typename Row>
int64_t CountIn(const std::deque<Row>& rows, int64_t lo, int64_t hi) {
  if (lo >= hi) return 0;
  auto first =
      std::partition_point(rows.begin(), rows.end(), [&](const Row& r) { return r.at <= lo; });
  auto last = std::partition_point(first, rows.end(), [&](const Row& r) { return r.at <= hi; });
  return last - first;
}

// Drops rows with time <= horizon, then the oldest beyond `cap` (ZREMRANGEBYSCORE and
// ZREMRANGEBYRANK).
template <typename Row>
void Trim(std::deque<Row>& rows, int64_t horizon, std::size_t cap) {
  while (!rows.empty() && rows.front().at <= horizon) rows.pop_front();
  while (rows.size() > cap) rows.pop_front();
}

}  // namespace

MemoryFeatureStore::MemoryFeatureStore(FeatureStoreLimits limits) : limits_(limits) {
  if (absl::Status s = ValidateLimits(limits_); !s.ok()) {
    std::fprintf(stderr, "MemoryFeatureStore: %s\n", std::string(s.message()).c_str());
    std::abort();
  }
}

std::vector<absl::StatusOr<FeatureRow>> MemoryFeatureStore::RecordBatch(
    const std::vector<ReviewFacts>& reviews) {
  std::vector<absl::StatusOr<FeatureRow>> out;
  out.reserve(reviews.size());
  for (const ReviewFacts& r : reviews) out.emplace_back(Record(r));
  return out;
}

FeatureRow MemoryFeatureStore::Record(const ReviewFacts& r) {
  const int64_t at = ToMs(r.at);
  Tick(at);
  RawFeatures raw;

  // The author: a new review is one whose entry is not among the recent ones. The windows count
  // the others, then the review itself.
  Author& a = authors_[r.user_id];
  const std::string key = AuthorEntry(r);
  bool is_new = true;
  raw.text_length_sum_7d = r.text_length;
  std::unordered_set<std::string_view> products = {r.asin};
  for (const AuthorRow& row : a.recent) {
    if (row.key == key) {
      is_new = false;
      continue;
    }
    if (row.at <= at - kWindow7dMs || row.at > at) continue;
    ++raw.reviews_7d;
    raw.text_length_sum_7d += row.text_length;
    if (row.at > at - kDayMs) {
      ++raw.reviews_24h;
      products.insert(std::string_view(row.key).substr(row.asin_pos, row.asin_len));
    }
  }
  raw.distinct_products_24h = static_cast<int64_t>(products.size());
  const int64_t first_seen = a.has_counters ? std::min(a.first_seen, at) : at;
  const int64_t verified = r.verified_purchase ? 1 : 0;
  const int64_t rating = r.rating;
  if (is_new) {
    raw.prior_reviews = a.n;
    raw.prior_verified = a.verified;
    raw.prior_rating_sum = a.sum;
    raw.prior_rating_square_sum = a.squares;
    a.newest = a.has_counters ? std::max(a.newest, at) : at;
    a.has_counters = true;
    a.n += 1;
    a.verified += verified;
    a.sum += rating;
    a.squares += rating * rating;
    a.first_seen = first_seen;
    AuthorRow row;
    row.at = at;
    row.key = key;
    row.asin_pos = key.size() - r.review_id.size() - r.asin.size();
    row.asin_len = r.asin.size();
    row.text_length = r.text_length;
    // After every row at or before its time, so rows of equal time keep the order recorded.
    auto pos = std::partition_point(a.recent.begin(), a.recent.end(),
                                    [&](const AuthorRow& x) { return x.at <= at; });
    a.recent.insert(pos, std::move(row));
    Trim(a.recent, a.newest - kUserKeepMs, static_cast<std::size_t>(limits_.user_reviews));
    a.written = clock_;
  } else {
    raw.prior_reviews = a.n - 1;
    raw.prior_verified = a.verified - verified;
    raw.prior_rating_sum = a.sum - rating;
    raw.prior_rating_square_sum = a.squares - rating * rating;
  }
  const int64_t created = AccountCreatedMs(r, first_seen);
  const bool new_account = IsNewAccount(at, created);
  ApplyReviewFacts(r, created, raw);

  // The product. `top` is its newest time with this review: the windows start no earlier than
  // what is kept behind it, trimmed yet or not.
  Product& p = products_[r.asin];
  const int64_t top = p.has_counters ? std::max(p.newest, at) : at;
  const int64_t kept_from = top - kProductKeepMs;
  raw.product_prior_reviews = p.n;
  raw.product_prior_rating_sum = p.sum;
  raw.product_reviews_1h = CountIn(p.recent, std::max(at - kHourMs, kept_from), at);
  raw.product_reviews_24h = CountIn(p.recent, std::max(at - kDayMs, kept_from), at);
  raw.product_reviews_30d = CountIn(p.recent, std::max(at - kWindow30dMs, kept_from), at);
  raw.product_new_account_reviews_24h =
      CountIn(p.fresh, std::max(at - kDayMs, top - kNewAccountKeepMs), at);
  if (!is_new) {
    raw.product_prior_reviews -= 1;
    raw.product_prior_rating_sum -= rating;
    if (at > kept_from && Contains(p.recent, at, r.review_id, &Keys::Product)) {
      raw.product_reviews_1h -= 1;
      raw.product_reviews_24h -= 1;
      raw.product_reviews_30d -= 1;
    }
    if (at > top - kNewAccountKeepMs && Contains(p.fresh, at, r.review_id, &Keys::Product)) {
      raw.product_new_account_reviews_24h -= 1;
    }
  }
  raw.product_reviews_1h += 1;
  raw.product_reviews_24h += 1;
  raw.product_reviews_30d += 1;
  raw.product_new_account_reviews_24h += new_account ? 1 : 0;

  const bool has_text = !IsEmptySignature(r.signature);
  const bool writes_signature = is_new && has_text && at > top - kNearDupWindowMs;
  if (is_new) {
    p.has_counters = true;
    p.newest = top;
    p.n += 1;
    p.sum += rating;
    p.counters_written = clock_;
    InsertRow(p.recent, ProductRow{at, r.review_id}, &Keys::Product);
    p.recent_written = clock_;
    if (new_account) {
      InsertRow(p.fresh, ProductRow{at, r.review_id}, &Keys::Product);
      p.fresh_written = clock_;
    }
    if (p.n % kTrimEvery == 0) {
      const auto cap = static_cast<std::size_t>(limits_.product_reviews);
      Trim(p.recent, top - kProductKeepMs, cap);
      Trim(p.fresh, top - kNewAccountKeepMs, cap);
    }
  }
  if (has_text) NearDup(p, r, at, top, writes_signature, raw);

  // Addresses shared with rejected accounts.
  if (!r.client_ip.empty()) {
    auto it = ips_.find(r.client_ip);
    if (it != ips_.end()) raw.shared_ip_rejected = CountOthers(it->second, r.user_id, at);
  }
  if (!r.device_id.empty()) {
    auto it = devices_.find(r.device_id);
    if (it != devices_.end()) raw.shared_device_rejected = CountOthers(it->second, r.user_id, at);
  }
  return ComputeFeatures(raw);
}

void MemoryFeatureStore::NearDup(Product& p, const ReviewFacts& r, int64_t at, int64_t top,
                                 bool writes, RawFeatures& raw) {
  std::array<uint64_t, kLshBands> bands{};
  for (int b = 0; b < kLshBands; ++b) bands[static_cast<std::size_t>(b)] = BandKey(r.signature, b);
  const auto slots = static_cast<int64_t>(limits_.product_signatures);
  // How recent a slot's signature is: 0 for the last one recorded.
  auto age = [&](int64_t slot) { return ((p.seq - slot) % slots + slots) % slots; };
  // Candidates: band by band, the slots whose signature has this review's band key, newest first,
  // as many as near_dup_candidates. A zero key is skipped (the Redis index's empty slots hold
  // zeros).
  std::vector<int64_t> chosen;
  std::unordered_set<int64_t> seen;
  const auto max = static_cast<std::size_t>(limits_.near_dup_candidates);
  std::vector<int64_t> hits;
  for (std::size_t b = 0; b < bands.size() && chosen.size() < max; ++b) {
    if (bands[b] == 0) continue;
    hits.clear();
    for (const auto& [slot, s] : p.slots) {
      if (s.bands[b] == bands[b]) hits.push_back(slot);
    }
    std::sort(hits.begin(), hits.end(), [&](int64_t x, int64_t y) { return age(x) < age(y); });
    for (int64_t slot : hits) {
      if (!seen.insert(slot).second) continue;
      chosen.push_back(slot);
      if (chosen.size() >= max) break;
    }
  }
  const int64_t lower = std::max(at, top) - kNearDupWindowMs;
  std::vector<NearDupCandidate> candidates;
  for (int64_t slot : chosen) {
    const Signature& c = p.slots.at(slot);
    if (c.id == r.review_id || c.user == r.user_id || c.at <= lower) continue;
    candidates.push_back({c.user, &c.sig});
  }
  ApplyNearDup(r.signature, candidates, raw);
  if (!writes) return;

  // This review takes the next slot, in place of the signature recorded there before.
  p.seq += 1;
  p.text_written = clock_;
  Signature& s = p.slots[p.seq % slots];
  s.id = r.review_id;
  s.user = r.user_id;
  s.at = at;
  s.sig = r.signature;
  s.bands = bands;
}

void MemoryFeatureStore::MarkRejected(const std::vector<ReviewFacts>& reviews) {
  for (const ReviewFacts& r : reviews) {
    const int64_t at = ToMs(r.at);
    Tick(at);
    if (!r.client_ip.empty()) Mark(ips_[r.client_ip], r.user_id, at);
    if (!r.device_id.empty()) Mark(devices_[r.device_id], r.user_id, at);
  }
}

void MemoryFeatureStore::Mark(Rejected& set, const std::string& user, int64_t at) {
  set.written = clock_;
  // As ZADD GT: a known account keeps its latest rejection.
  auto [it, added] = set.at_of.try_emplace(user, at);
  if (!added) {
    if (at <= it->second) return;
    set.by_time.erase({it->second, user});
    it->second = at;
  }
  set.by_time.emplace(at, user);
  const int64_t horizon = set.by_time.rbegin()->first - kRejectedWindowMs;
  const auto cap = static_cast<std::size_t>(limits_.rejected_accounts);
  while (!set.by_time.empty() &&
         (set.by_time.begin()->first <= horizon || set.by_time.size() > cap)) {
    set.at_of.erase(set.by_time.begin()->second);
    set.by_time.erase(set.by_time.begin());
  }
}

int64_t MemoryFeatureStore::CountOthers(const Rejected& set, const std::string& user, int64_t at) {
  const int64_t lo = at - kRejectedWindowMs;
  int64_t n = 0;
  for (auto it = set.by_time.rbegin(); it != set.by_time.rend() && it->first > lo; ++it) ++n;
  auto own = set.at_of.find(user);
  if (own != set.at_of.end() && own->second > lo) --n;
  return n;
}

void MemoryFeatureStore::Tick(int64_t at) {
  clock_ = std::max(clock_, at);
  if (++since_sweep_ >= std::max<std::size_t>(1 << 16, authors_.size() + products_.size() +
                                                           ips_.size() + devices_.size())) {
    Sweep();
  }
}

void MemoryFeatureStore::Sweep() {
  since_sweep_ = 0;
  // The clock is review time (see the class comment).
  const int64_t window_ttl = absl::ToInt64Milliseconds(limits_.window_ttl);
  const int64_t counters_ttl = absl::ToInt64Milliseconds(limits_.counters_ttl);
  auto idle = [&](int64_t written, int64_t ttl) { return clock_ - written >= ttl; };
  for (auto it = authors_.begin(); it != authors_.end();) {
    it = idle(it->second.written, counters_ttl) ? authors_.erase(it) : std::next(it);
  }
  for (auto it = products_.begin(); it != products_.end();) {
    Product& p = it->second;
    if (idle(p.recent_written, window_ttl)) p.recent.clear();
    if (idle(p.fresh_written, window_ttl)) p.fresh.clear();
    if (idle(p.text_written, window_ttl)) p.slots.clear();
    if (p.has_counters && idle(p.counters_written, counters_ttl)) {
      p.has_counters = false;
      p.n = p.sum = p.newest = p.seq = 0;
    }
    const bool empty = !p.has_counters && p.recent.empty() && p.fresh.empty() && p.slots.empty();
    it = empty ? products_.erase(it) : std::next(it);
  }
  for (auto* sets : {&ips_, &devices_}) {
    for (auto it = sets->begin(); it != sets->end();) {
      it = idle(it->second.written, window_ttl) ? sets->erase(it) : std::next(it);
    }
  }
}

MemoryFeatureStore::Size MemoryFeatureStore::size() const {
  Size s;
  s.authors = authors_.size();
  s.products = products_.size();
  s.addresses = ips_.size() + devices_.size();
  for (const auto& [_, a] : authors_) s.author_reviews += a.recent.size();
  for (const auto& [_, p] : products_) {
    s.product_reviews += p.recent.size();
    s.new_account_reviews += p.fresh.size();
    s.signatures += p.slots.size();
  }
  for (const auto* sets : {&ips_, &devices_}) {
    for (const auto& [_, set] : *sets) s.rejected_accounts += set.by_time.size();
  }
  return s;
}

}  // namespace candor::fraud
