#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// VoteLedger on Postgres: reviewdb::ReviewDb's ApplyVotes and TopRanked (libs/reviewdb owns the
// statements). A batch is split by review into `shards` parts applied concurrently, each in a
// transaction of its own on its own connection (the pool needs at least `shards`): a review's
// votes, ledger rows and counts are all in one part, so each commit keeps I4 for its reviews. If
// a part fails the others may have committed; the caller retries the whole batch, and what they
// applied replays as unchanged (ApplyVotes is idempotent). Borrows `pool`. Thread-safe.
class PgVoteLedger final : public VoteLedger {
 public:
  explicit PgVoteLedger(pg::Pool& pool, int shards = 1) : db_(pool), shards_(shards) {}
  absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                             const std::vector<std::string>& rank_ids,
                                             const SortKeyFn& sort_key) override;
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string& asin,
                                                                        int limit) override {
    return db_.TopRanked(asin, limit);
  }

 private:
  reviewdb::ReviewDb db_;
  const int shards_;
};

}  // namespace candor::helpfulness_ranker
