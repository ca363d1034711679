#pragma once

#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// VoteLedger on Postgres: reviewdb::ReviewDb's ApplyVotes and TopRanked (libs/reviewdb owns the
// statements). Borrows `pool`. Thread-safe.
class PgVoteLedger final : public VoteLedger {
 public:
  explicit PgVoteLedger(pg::Pool& pool) : db_(pool) {}
  absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                             const std::vector<std::string>& rank_ids,
                                             const SortKeyFn& sort_key) override {
    return db_.ApplyVotes(votes, rank_ids, sort_key);
  }
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string& asin,
                                                                        int limit) override {
    return db_.TopRanked(asin, limit);
  }

 private:
  reviewdb::ReviewDb db_;
};

}  // namespace candor::helpfulness_ranker
