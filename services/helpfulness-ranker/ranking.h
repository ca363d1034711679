#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/review/helpful_vote.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::helpfulness_ranker {

// The ports of the ranker's domain (ranker.h) and of its check (ranking_check.h). Each is
// thread-safe and never throws.

// Port: the vote ledger and the reviews' counts and sort keys (Postgres, libs/reviewdb).
class VoteLedger {
 public:
  virtual ~VoteLedger() = default;
  using SortKeyFn = std::function<double(const reviewdb::RankedReview&)>;
  // reviewdb::ReviewDb::ApplyVotes: in one transaction, the votes (newest per (review, user)
  // wins; replays are no-ops; a change moves counts once), then every touched review and each of
  // `rank_ids` gets `sort_key(row)` while active, no key otherwise; returns them as they stand.
  virtual absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                                     const std::vector<std::string>& rank_ids,
                                                     const SortKeyFn& sort_key) = 0;
  // The `limit` best ranked active reviews of `asin` as (sort_key, review_id), best first.
  virtual absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(
      const std::string& asin, int limit) = 0;
  // reviewdb::ReviewDb::RecountVotes: in one transaction, `review_ids` locked as Apply locks
  // them, their counts set to their ledger rows' sums and their keys as Apply sets them; returns
  // them as they stand (`changed`: reviews rewritten). For repairs (ranking_check.h).
  virtual absl::StatusOr<reviewdb::VoteResult> Recount(const std::vector<std::string>& review_ids,
                                                       const SortKeyFn& sort_key) = 0;
};

// Port: what a check of I4 and the ranking reads from the ledger (Postgres, libs/reviewdb), in
// pages of products.
class LedgerAudit {
 public:
  virtual ~LedgerAudit() = default;
  // reviewdb::ReviewDb::ListRankedAsins: products with a ranked or voted review whose asin starts
  // with `prefix`, after `after`, in asin order, at most `limit`.
  virtual absl::StatusOr<std::vector<std::string>> ListProducts(const std::string& prefix,
                                                                const std::string& after,
                                                                int limit) = 0;
  // reviewdb::ReviewDb::CheckVoteCounts: each voted review's counts beside its ledger's sums.
  virtual absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> VoteCounts(
      const std::vector<std::string>& asins) = 0;
  // reviewdb::ReviewDb::ListRanks: every ranked-or-voted review of `asins` as its row stands.
  virtual absl::StatusOr<std::vector<reviewdb::RankedReview>> Ranks(
      const std::vector<std::string>& asins) = 0;
};

// One review's place in its product's ranking after a batch: its key, or nullopt when it left.
struct RankChange {
  std::string review_id;
  std::optional<double> sort_key;
};

// One product's entry in the ranking cache, as stored.
struct CachedRanking {
  // nullopt while the set holds every ranked review of the product; otherwise (sort key, review
  // id) of the best review it dropped: the set is exactly the ranked reviews above it.
  std::optional<std::pair<double, std::string>> floor;
  std::vector<std::pair<double, std::string>> members;  // (sort key, review id), best first
};

// Port: the bounded per-product ranking cache (Redis `helpful:{asin}`). Holds, for each product
// it knows, every ranked review above a floor (all of them while the product has at most the
// cache's bound), so a reader can serve a prefix of the order and continue below it from
// Postgres.
class RankingCache {
 public:
  virtual ~RankingCache() = default;
  // Applies each product's changes (all of one product in one atomic step; products in one round
  // trip). Returns the products the cache does not know (never built, or lost with a Redis
  // restart), which need Rebuild; their changes were not applied. Unavailable when unreachable.
  virtual absl::StatusOr<std::vector<std::string>> Update(
      const std::vector<std::pair<std::string, std::vector<RankChange>>>& products) = 0;
  // Replaces `asin`'s entry with `top` (the best ranked reviews, best first); `complete` when
  // they are all the product has.
  virtual absl::Status Rebuild(const std::string& asin,
                               const std::vector<std::pair<double, std::string>>& top,
                               bool complete) = 0;
  // `asin`'s entry, its set and floor read at one instant; nullopt when the cache does not know
  // the product. For checks (ranking_check.h).
  virtual absl::StatusOr<std::optional<CachedRanking>> Read(const std::string& asin) = 0;
};

// Port: where score changes go (Kafka `review-scores`). OK once every one is durably taken.
class ScorePublisher {
 public:
  virtual ~ScorePublisher() = default;
  virtual absl::Status Publish(const std::vector<review::ReviewScore>& scores) = 0;
};

}  // namespace candor::helpfulness_ranker
