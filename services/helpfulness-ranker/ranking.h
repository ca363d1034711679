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

// The ports of the ranker's domain (ranker.h). Each is thread-safe and never throws.

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
};

// One review's place in its product's ranking after a batch: its key, or nullopt when it left.
struct RankChange {
  std::string review_id;
  std::optional<double> sort_key;
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
};

// Port: where score changes go (Kafka `review-scores`). OK once every one is durably taken.
class ScorePublisher {
 public:
  virtual ~ScorePublisher() = default;
  virtual absl::Status Publish(const std::vector<review::ReviewScore>& scores) = 0;
};

}  // namespace candor::helpfulness_ranker
