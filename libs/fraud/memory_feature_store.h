#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "libs/fraud/feature_store.h"
#include "libs/fraud/window_rules.h"

namespace candor::fraud {

// FeatureStore in process memory, with the semantics of RedisFeatureStore (README.md, "Windows and
// state"): the trainer's simulator runs millions of reviews through it, and a test holds the two
// equal on the same stream. Hash maps per author, product and address; sorted deques per window
// (appends at the back, trimming at the front, binary search for the counts). Idle keys expire by
// review time: an author, product or address not written for FeatureStoreLimits::window_ttl
// (counters: counters_ttl) of the newest review time seen is dropped, checked in sweeps whose cost
// is spread over the records. RecordBatch never fails. Not thread-safe.
class MemoryFeatureStore final : public FeatureStore {
 public:
  // Aborts with a message when ValidateLimits(limits) fails (a bug in the caller).
  explicit MemoryFeatureStore(FeatureStoreLimits limits = {});

  std::vector<absl::StatusOr<FeatureRow>> RecordBatch(
      const std::vector<ReviewFacts>& reviews) override;
  void MarkRejected(const std::vector<ReviewFacts>& reviews) override;

  // RecordBatch of one review.
  FeatureRow Record(const ReviewFacts& r);

  // What the store holds, for tests and the simulator's reports.
  struct Size {
    std::size_t authors = 0;
    std::size_t products = 0;
    std::size_t addresses = 0;  // client addresses and devices with rejected accounts
    std::size_t author_reviews = 0;
    std::size_t product_reviews = 0;
    std::size_t new_account_reviews = 0;
    std::size_t signatures = 0;
    std::size_t buckets = 0;  // non-empty LSH buckets
    std::size_t bucket_entries = 0;
    std::size_t rejected_accounts = 0;
  };
  Size size() const;

 private:
  struct Keys;
  struct AuthorRow {
    int64_t at = 0;
    std::string key;  // AuthorEntry
    std::size_t asin_pos = 0;
    std::size_t asin_len = 0;
    int64_t text_length = 0;
  };
  struct Author {
    bool has_counters = false;
    int64_t n = 0, verified = 0, sum = 0, squares = 0;
    int64_t first_seen = 0, newest = 0;
    int64_t counters_written = 0;  // the store's clock at the last write, for expiry
    std::deque<AuthorRow> recent;  // by (at, key)
    int64_t recent_written = 0;
  };
  struct ProductRow {
    int64_t at = 0;
    std::string id;
  };
  struct Signature {
    int64_t at = 0;
    std::string user;
    TextSignature sig{};
    std::array<uint64_t, kLshBands> bands{};
  };
  struct Product {
    bool has_counters = false;
    int64_t n = 0, sum = 0, newest = 0;
    int64_t counters_written = 0;
    std::deque<ProductRow> recent;  // 30 d, by (at, id)
    int64_t recent_written = 0;
    std::deque<ProductRow> fresh;  // new-account reviews of 24 h
    int64_t fresh_written = 0;
    std::unordered_map<uint64_t, std::vector<std::string>>
        buckets;  // band key -> ids, oldest first
    std::unordered_map<std::string, Signature> signatures;
    int64_t lsh_written = 0;
  };
  struct Rejected {
    std::unordered_map<std::string, int64_t> at_of;
    std::set<std::pair<int64_t, std::string>> by_time;
    int64_t written = 0;
  };

  void Mark(Rejected& set, const std::string& user, int64_t at);
  static int64_t CountOthers(const Rejected& set, const std::string& user, int64_t at);
  void UpdateSignatures(Product& p, const ReviewFacts& r, int64_t at,
                        const std::vector<std::string>& removed, bool keeps_signature);
  void Tick(int64_t at);
  void Sweep();

  FeatureStoreLimits limits_;
  std::unordered_map<std::string, Author> authors_;
  std::unordered_map<std::string, Product> products_;
  std::unordered_map<std::string, Rejected> ips_;
  std::unordered_map<std::string, Rejected> devices_;
  int64_t clock_ = std::numeric_limits<int64_t>::min();  // the newest review time seen
  std::size_t since_sweep_ = 0;
};

}  // namespace candor::fraud
