#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// VoteLedger and LedgerAudit on Postgres: reviewdb::ReviewDb's ApplyVotes, TopRanked,
// RecountVotes, ListRankedAsins, CheckVoteCounts and ListRanks (libs/reviewdb owns the
// statements). A batch is split by review into `shards` parts applied concurrently, each in a
// transaction of its own on its own connection (the pool needs at least `shards`): a review's
// votes, ledger rows and counts are all in one part, so each commit keeps I4 for its reviews. If
// a part fails the others may have committed; the caller retries the whole batch, and what they
// applied replays as unchanged (ApplyVotes is idempotent). Borrows `pool`. Thread-safe.
class PgVoteLedger final : public VoteLedger, public LedgerAudit {
 public:
  explicit PgVoteLedger(pg::Pool& pool, int shards = 1) : db_(pool), shards_(shards) {}
  absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                             const std::vector<std::string>& rank_ids,
                                             const SortKeyFn& sort_key) override;
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string& asin,
                                                                        int limit) override {
    return db_.TopRanked(asin, limit);
  }
  // One transaction whatever `shards` says: a repair is small, and one commit keeps it whole.
  absl::StatusOr<reviewdb::VoteResult> Recount(const std::vector<std::string>& review_ids,
                                               const SortKeyFn& sort_key) override {
    return db_.RecountVotes(review_ids, sort_key);
  }

  absl::StatusOr<std::vector<std::string>> ListProducts(const std::string& prefix,
                                                        const std::string& after,
                                                        int limit) override {
    return db_.ListRankedAsins(prefix, after, limit);
  }
  absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> VoteCounts(
      const std::vector<std::string>& asins) override {
    return db_.CheckVoteCounts(asins);
  }
  absl::StatusOr<std::vector<reviewdb::RankedReview>> Ranks(
      const std::vector<std::string>& asins) override {
    return db_.ListRanks(asins);
  }

 private:
  reviewdb::ReviewDb db_;
  const int shards_;
};

}  // namespace candor::helpfulness_ranker
