#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/clock.h"
#include "libs/helpfulness/score.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// Counters for the stats line. Written by the consumer thread, readable from any thread.
struct RankerStats {
  std::atomic<int64_t> votes_changed{0};     // votes that changed a ledger row's count
  std::atomic<int64_t> votes_unchanged{0};   // replays, older votes, repeats of the same vote
  std::atomic<int64_t> votes_unknown{0};     // votes for a review not stored
  std::atomic<int64_t> reviews_ranked{0};    // review updates with a key written to the cache
  std::atomic<int64_t> reviews_unranked{0};  // review updates that left the ranking
  std::atomic<int64_t> rebuilds{0};          // products whose cache entry was rebuilt
  std::atomic<int64_t> scores_published{0};
};

// The sort key of a stored review under `params`: libs/helpfulness SortKey of its counts,
// verified flag and submission time. Pure.
double SortKeyOf(const reviewdb::RankedReview& r, const helpfulness::ScoreParams& params);

// The ranker's step for one batch (design.md 5): the votes and the review events of a batch, in
// one ledger transaction (counts, then each touched review's sort key: libs/helpfulness SortKey,
// time-invariant, so nothing goes stale as time passes); then the cache, one atomic update per
// product and all products in one round trip (a hot product's votes cost one update per batch,
// not one per vote); then the changes published to review-scores. Every step derives from what
// the ledger holds after the commit, so a repeated batch repairs a cache or a publish that
// failed. Knows nothing of Kafka, Postgres or Redis. Borrows its ports; one thread at a time.
class Ranker {
 public:
  Ranker(VoteLedger& ledger, RankingCache& cache, ScorePublisher& publisher,
         const helpfulness::ScoreParams& params, int top_n, const core::Clock& clock)
      : ledger_(ledger),
        cache_(cache),
        publisher_(publisher),
        params_(params),
        top_n_(top_n),
        clock_(clock) {}

  // `votes` and `rank_ids` (the reviews of review-events: accepted, removed, restored) of one
  // batch. OK when the ledger committed, the cache holds the result and the scores are published.
  // Any error is transient and the batch may be repeated: the ledger's, the cache's
  // (Unavailable), the publisher's.
  absl::Status Apply(const std::vector<review::HelpfulVote>& votes,
                     const std::vector<std::string>& rank_ids);

  // Repairs what a check found (ranking_check.h), as a batch would: `review_ids` recounted from
  // the ledger with their keys in one transaction (VoteLedger::Recount), then, as Apply goes on,
  // the cache updated (a product it does not know rebuilt) and every one of them published;
  // then each of `rebuild_asins` rebuilt in the cache from the ledger (TopRanked), as an unknown
  // product is. Errors as Apply's; a repeat is harmless.
  absl::Status Repair(const std::vector<std::string>& review_ids,
                      const std::vector<std::string>& rebuild_asins);

  // The sort key of a stored review under this ranker's score params (the free SortKeyOf).
  double SortKeyOf(const reviewdb::RankedReview& r) const;

  const RankerStats& stats() const { return stats_; }

 private:
  // The steps after the ledger's commit, from `result`: the cache (with rebuilds of the products
  // it does not know and of `rebuild_asins`), then the scores. Counts the reviews and scores.
  absl::Status Propagate(const reviewdb::VoteResult& result,
                         const std::vector<std::string>& rebuild_asins);

  VoteLedger& ledger_;
  RankingCache& cache_;
  ScorePublisher& publisher_;
  const helpfulness::ScoreParams params_;
  const int top_n_;
  const core::Clock& clock_;
  RankerStats stats_;
};

}  // namespace candor::helpfulness_ranker
