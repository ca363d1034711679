#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/helpfulness/score.h"
#include "services/helpfulness-ranker/ranker.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// How a check walks the products and waits for writes in flight.
struct CheckOptions {
  std::string asin_prefix{};  // only products whose asin starts with this ("" for all)
  int page = 500;             // products per ledger read
  // How long to wait before looking again at the products that differed: the ranker writes the
  // cache and its counts just after its commits, so a difference can be a write in flight. Zero:
  // compare once.
  absl::Duration settle = absl::Seconds(2);
  // How the check waits `settle` (tests pass their own).
  std::function<void(absl::Duration)> sleep = [](absl::Duration d) { absl::SleepFor(d); };
  size_t max_examples = 20;  // lines kept in DriftReport::examples
};

// What a check found, counting only differences that were still there when it looked again.
struct DriftReport {
  int64_t products = 0;   // products checked (with a ranked or voted review)
  int64_t counts = 0;     // reviews whose review_ranks counts differ from the ledger (I4)
  int64_t sort_keys = 0;  // reviews whose stored key is not the one they should have (or I6)
  int64_t cache = 0;      // members of helpful:{asin} missing, extra, non-active or keyed wrong
  // One line per difference, the first CheckOptions::max_examples of them.
  std::vector<std::string> examples;
  // What a repair works on: every review named by a difference, and the products whose cache
  // entry differs.
  std::set<std::string> review_ids;
  std::set<std::string> cache_asins;

  int64_t total() const { return counts + sort_keys + cache; }
  bool clean() const { return total() == 0; }
  // "drift: 3 (counts 1, sort keys 1, cache 1) over 1234 products".
  std::string Summary() const;
};

// The check and repair of what helpfulness-ranker writes (design.md 5: the reconciliation job's
// part for the ranking). For every product with a ranked or voted review, in asin order, pages of
// CheckOptions::page:
//   1. I4: each review's review_ranks counts against its rows in the vote ledger;
//   2. the stored sort key: an active review's must equal SortKeyOf its ledger counts under
//      `params` (so a corrupt count is counted once, as a count), a review that is not active
//      must have none (I6);
//   3. helpful:{asin}, for a product the cache knows: its members must be exactly the product's
//      ranked active reviews above its floor (VoteLedger::TopRanked), with the same keys; a
//      non-active review in it is I6 drift. A product the cache does not know is not drift: the
//      ranker rebuilds it when it next touches the product.
// Products where anything differed are looked at again, once, after CheckOptions::settle, and
// only what differs then is counted. Borrows its ports; one thread at a time.
class RankingCheck {
 public:
  RankingCheck(LedgerAudit& audit, VoteLedger& ledger, RankingCache& cache,
               const helpfulness::ScoreParams& params, int top_n, CheckOptions options)
      : audit_(audit),
        ledger_(ledger),
        cache_(cache),
        params_(params),
        top_n_(top_n),
        options_(std::move(options)) {}

  // Reads and compares; the stores' errors (Unavailable, Internal) end it.
  absl::StatusOr<DriftReport> Check();

  // What Repair did: the check before it and the check after it.
  struct Repaired {
    DriftReport before;
    DriftReport after;
  };
  // Check, then `ranker` repairs what it found (Ranker::Repair: every review it named recounted
  // and re-ranked, the cache entries that differed rebuilt, their scores published), then Check
  // again. `ranker` must use the same params and top_n. Errors as Check's and Ranker::Repair's.
  absl::StatusOr<Repaired> Repair(Ranker& ranker);

 private:
  enum class Kind { kCounts, kSortKey, kCache };
  // One difference: which comparison, where, and the line that says it.
  struct Finding {
    Kind kind = Kind::kCounts;
    std::string asin;
    std::string review_id;  // "" for none
    std::string line;
  };
  // Runs the three comparisons on `asins` (one page) and appends what differs to `out`.
  absl::Status CheckProducts(const std::vector<std::string>& asins, std::vector<Finding>* out);
  // The cache comparison of one product; `rows` holds its reviews' ranks rows, by review id.
  absl::Status CheckCache(const std::string& asin,
                          const std::map<std::string, const reviewdb::RankedReview*>& rows,
                          std::vector<Finding>* out);

  LedgerAudit& audit_;
  VoteLedger& ledger_;
  RankingCache& cache_;
  const helpfulness::ScoreParams params_;
  const int top_n_;
  const CheckOptions options_;
};

}  // namespace candor::helpfulness_ranker
