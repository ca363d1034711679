#include "libs/fraud/memory_feature_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace candor::fraud {
namespace {

// Rows of a window deque ordered by (time, key); the key orders rows of equal time exactly as
// Redis orders sorted-set members of equal score (bytewise).
template <typename Row, typename KeyOf>
auto Find(const std::deque<Row>& rows, int64_t at, const std::string& key, KeyOf key_of) {
  auto it =
      std::lower_bound(rows.begin(), rows.end(), std::pair<int64_t, const std::string*>(at, &key),
                       [&](const Row& row, const std::pair<int64_t, const std::string*>& k) {
                         return row.at < k.first || (row.at == k.first && key_of(row) < *k.second);
                       });
  return it;
}

// Inserts `row` in order unless a row with its time and key is there; returns whether it was.
template <typename Row, typename KeyOf>
bool InsertRow(std::deque<Row>& rows, Row row, KeyOf key_of) {
  // Most reviews arrive in time order: check the back first.
  if (rows.empty() || rows.back().at < row.at ||
      (rows.back().at == row.at && key_of(rows.back()) < key_of(row))) {
    rows.push_back(std::move(row));
    return true;
  }
  auto it = Find(rows, row.at, key_of(row), key_of);
  if (it != rows.end() && it->at == row.at && key_of(*it) == key_of(row)) return false;
  rows.insert(it, std::move(row));
  return true;
}

// Whether a row with this time and key is in `rows`.
template <typename Row, typename KeyOf>
bool Contains(const std::deque<Row>& rows, int64_t at, const std::string& key, KeyOf key_of) {
  auto it = Find(rows, at, key, key_of);
  return it != rows.end() && it->at == at && key_of(*it) == key;
}

// Rows with time in (lo, hi].
template <typename Row>
int64_t CountIn(const std::deque<Row>& rows, int64_t lo, int64_t hi) {
  auto first =
      std::partition_point(rows.begin(), rows.end(), [&](const Row& r) { return r.at <= lo; });
  auto last = std::partition_point(first, rows.end(), [&](const Row& r) { return r.at <= hi; });
  return last - first;
}

// Drops rows with time <= horizon, then the oldest beyond `cap`; calls `gone` for each dropped
// by time (not by the cap).
template <typename Row, typename Gone>
void Trim(std::deque<Row>& rows, int64_t horizon, std::size_t cap, Gone gone) {
  while (!rows.empty() && rows.front().at <= horizon) {
    gone(rows.front());
    rows.pop_front();
  }
  while (rows.size() > cap) rows.pop_front();
}

}  // namespace

// The keys rows are ordered by after their time.
struct MemoryFeatureStore::Keys {
  static const std::string& Author(const AuthorRow& row) { return row.key; }
  static const std::string& Product(const ProductRow& row) { return row.id; }
};

namespace {}  // namespace

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

  // The author: is this review new (its entry not among the recent ones), the windows without
  // it, then the review itself.
  Author& a = authors_[r.user_id];
  AuthorRow own;
  own.at = at;
  own.key = AuthorEntry(r);
  own.asin_pos = own.key.size() - r.review_id.size() - r.asin.size();
  own.asin_len = r.asin.size();
  own.text_length = r.text_length;
  const bool is_new = !Contains(a.recent, at, own.key, &Keys::Author);
  const int64_t first_seen = a.has_counters ? std::min(a.first_seen, at) : at;
  {
    raw.reviews_24h = 1;
    raw.reviews_7d = 1;
    raw.text_length_sum_7d = r.text_length;
    std::unordered_set<std::string_view> products = {r.asin};
    auto it = std::partition_point(a.recent.begin(), a.recent.end(),
                                   [&](const AuthorRow& x) { return x.at <= at - kWindow7dMs; });
    for (; it != a.recent.end() && it->at <= at; ++it) {
      if (it->key == own.key) continue;
      ++raw.reviews_7d;
      raw.text_length_sum_7d += it->text_length;
      if (it->at > at - kDayMs) {
        ++raw.reviews_24h;
        products.insert(std::string_view(it->key).substr(it->asin_pos, it->asin_len));
      }
    }
    raw.distinct_products_24h = static_cast<int64_t>(products.size());
  }
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
    a.counters_written = clock_;
    InsertRow(a.recent, std::move(own), &Keys::Author);
    Trim(a.recent, a.newest - kUserKeepMs, static_cast<std::size_t>(limits_.user_reviews),
         [](const AuthorRow&) {});
    a.recent_written = clock_;
  } else {
    raw.prior_reviews = a.n - 1;
    raw.prior_verified = a.verified - verified;
    raw.prior_rating_sum = a.sum - rating;
    raw.prior_rating_square_sum = a.squares - rating * rating;
  }
  const int64_t created = AccountCreatedMs(r, first_seen);
  const bool new_account = IsNewAccount(at, created);
  ApplyReviewFacts(r, created, raw);

  // The product.
  Product& p = products_[r.asin];
  raw.product_prior_reviews = p.n;
  raw.product_prior_rating_sum = p.sum;
  raw.product_reviews_1h = CountIn(p.recent, at - kHourMs, at);
  raw.product_reviews_24h = CountIn(p.recent, at - kDayMs, at);
  raw.product_reviews_30d = CountIn(p.recent, at - kWindow30dMs, at);
  raw.product_new_account_reviews_24h = CountIn(p.fresh, at - kDayMs, at);
  if (!is_new) {
    raw.product_prior_reviews -= 1;
    raw.product_prior_rating_sum -= rating;
    if (Contains(p.recent, at, r.review_id, &Keys::Product)) {
      raw.product_reviews_1h -= 1;
      raw.product_reviews_24h -= 1;
      raw.product_reviews_30d -= 1;
    }
    if (Contains(p.fresh, at, r.review_id, &Keys::Product)) {
      raw.product_new_account_reviews_24h -= 1;
    }
  }
  raw.product_reviews_1h += 1;
  raw.product_reviews_24h += 1;
  raw.product_reviews_30d += 1;
  raw.product_new_account_reviews_24h += new_account ? 1 : 0;

  std::vector<std::string> removed;  // reviews whose signature records go
  bool keeps_signature = false;
  if (is_new) {
    p.newest = p.has_counters ? std::max(p.newest, at) : at;
    p.has_counters = true;
    p.n += 1;
    p.sum += rating;
    p.counters_written = clock_;
    InsertRow(p.recent, ProductRow{at, r.review_id}, &Keys::Product);
    // Only the newest product_signatures reviews can hold records, so only the newest of those
    // trimmed by time need looking at.
    std::vector<std::string> trimmed;
    Trim(p.recent, p.newest - kProductKeepMs, static_cast<std::size_t>(limits_.product_reviews),
         [&](const ProductRow& x) { trimmed.push_back(x.id); });
    const auto sig_cap = static_cast<std::size_t>(limits_.product_signatures);
    if (trimmed.size() > sig_cap)
      trimmed.erase(trimmed.begin(), trimmed.end() - static_cast<std::ptrdiff_t>(sig_cap));
    removed = std::move(trimmed);
    p.recent_written = clock_;
    if (new_account) InsertRow(p.fresh, ProductRow{at, r.review_id}, &Keys::Product);
    Trim(p.fresh, p.newest - kNewAccountKeepMs, static_cast<std::size_t>(limits_.product_reviews),
         [](const ProductRow&) {});
    if (new_account) p.fresh_written = clock_;
    // Is this review among the newest product_signatures? Then it keeps its signature, and the
    // review it pushed down past the cap loses its record.
    if (at > p.newest - kProductKeepMs) {
      auto it = Find(p.recent, at, r.review_id, &Keys::Product);
      if (it != p.recent.end() && it->at == at && it->id == r.review_id) {
        const auto rank = static_cast<std::size_t>(p.recent.end() - it) - 1;  // 0 = newest
        if (rank < sig_cap) {
          keeps_signature = true;
          if (p.recent.size() > sig_cap)
            removed.push_back(p.recent[p.recent.size() - 1 - sig_cap].id);
        }
      }
    }
  }

  // Near-duplicate text: candidates from the buckets as they were before this review.
  if (!IsEmptySignature(r.signature)) {
    std::array<uint64_t, kLshBands> bands{};
    for (int b = 0; b < kLshBands; ++b)
      bands[static_cast<std::size_t>(b)] = BandKey(r.signature, b);
    std::vector<const std::string*> chosen;
    std::unordered_set<std::string_view> seen;
    const auto max = static_cast<std::size_t>(limits_.near_dup_candidates);
    for (uint64_t key : bands) {
      if (chosen.size() >= max) break;
      auto bucket = p.buckets.find(key);
      if (bucket == p.buckets.end()) continue;
      const std::vector<std::string>& ids = bucket->second;
      for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
        if (*id == r.review_id || !seen.insert(*id).second) continue;
        chosen.push_back(&*id);
        if (chosen.size() >= max) break;
      }
    }
    std::vector<NearDupCandidate> candidates;
    for (const std::string* id : chosen) {
      auto rec = p.signatures.find(*id);
      if (rec == p.signatures.end()) continue;
      if (rec->second.user == r.user_id || rec->second.at <= at - kNearDupWindowMs) continue;
      candidates.push_back({rec->second.user, &rec->second.sig});
    }
    ApplyNearDup(r.signature, candidates, raw);
    if (is_new) UpdateSignatures(p, r, at, removed, keeps_signature);
  } else if (is_new) {
    UpdateSignatures(p, r, at, removed, false);
  }

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

void MemoryFeatureStore::UpdateSignatures(Product& p, const ReviewFacts& r, int64_t at,
                                          const std::vector<std::string>& removed,
                                          bool keeps_signature) {
  p.lsh_written = clock_;
  for (const std::string& id : removed) {
    auto rec = p.signatures.find(id);
    if (rec == p.signatures.end()) continue;
    for (uint64_t key : rec->second.bands) {
      auto bucket = p.buckets.find(key);
      if (bucket == p.buckets.end()) continue;
      std::vector<std::string>& ids = bucket->second;
      ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
      if (ids.empty()) p.buckets.erase(bucket);
    }
    p.signatures.erase(rec);
  }
  if (!keeps_signature) return;
  Signature s;
  s.at = at;
  s.user = r.user_id;
  s.sig = r.signature;
  const auto cap = static_cast<std::size_t>(limits_.bucket_reviews);
  for (int b = 0; b < kLshBands; ++b) {
    const uint64_t key = BandKey(r.signature, b);
    s.bands[static_cast<std::size_t>(b)] = key;
    std::vector<std::string>& ids = p.buckets[key];
    if (!ids.empty() && ids.back() == r.review_id) continue;
    ids.push_back(r.review_id);
    if (ids.size() > cap) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(cap));
  }
  p.signatures[r.review_id] = std::move(s);
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
  // As ZADD GT: a known account keeps its latest rejection.
  auto [it, added] = set.at_of.try_emplace(user, at);
  if (!added) {
    if (at <= it->second) {
      set.written = clock_;
      return;
    }
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
  set.written = clock_;
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
  // absl::Duration to milliseconds once; the clock is review time (see the class comment).
  const int64_t window_ttl = absl::ToInt64Milliseconds(limits_.window_ttl);
  const int64_t counters_ttl = absl::ToInt64Milliseconds(limits_.counters_ttl);
  auto idle = [&](int64_t written, int64_t ttl) { return clock_ - written >= ttl; };
  for (auto it = authors_.begin(); it != authors_.end();) {
    Author& a = it->second;
    if (idle(a.recent_written, window_ttl)) a.recent.clear();
    if (a.has_counters && idle(a.counters_written, counters_ttl)) a.has_counters = false;
    it = (!a.has_counters && a.recent.empty()) ? authors_.erase(it) : std::next(it);
  }
  for (auto it = products_.begin(); it != products_.end();) {
    Product& p = it->second;
    if (idle(p.recent_written, window_ttl)) p.recent.clear();
    if (idle(p.fresh_written, window_ttl)) p.fresh.clear();
    if (idle(p.lsh_written, window_ttl)) {
      p.buckets.clear();
      p.signatures.clear();
    }
    if (p.has_counters && idle(p.counters_written, counters_ttl)) p.has_counters = false;
    const bool empty = !p.has_counters && p.recent.empty() && p.fresh.empty() &&
                       p.signatures.empty() && p.buckets.empty();
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
    s.signatures += p.signatures.size();
    s.buckets += p.buckets.size();
    for (const auto& [__, ids] : p.buckets) s.bucket_entries += ids.size();
  }
  for (const auto* sets : {&ips_, &devices_}) {
    for (const auto& [_, set] : *sets) s.rejected_accounts += set.by_time.size();
  }
  return s;
}

}  // namespace candor::fraud
