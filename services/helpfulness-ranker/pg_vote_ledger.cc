#include "services/helpfulness-ranker/pg_vote_ledger.h"

#include <functional>
#include <thread>

namespace candor::helpfulness_ranker {

absl::StatusOr<reviewdb::VoteResult> PgVoteLedger::Apply(
    const std::vector<review::HelpfulVote>& votes, const std::vector<std::string>& rank_ids,
    const SortKeyFn& sort_key) {
  if (shards_ <= 1) return db_.ApplyVotes(votes, rank_ids, sort_key);
  const size_t n = static_cast<size_t>(shards_);
  auto shard_of = [n](const std::string& review_id) {
    return std::hash<std::string>{}(review_id) % n;
  };
  std::vector<std::vector<review::HelpfulVote>> part_votes(n);
  std::vector<std::vector<std::string>> part_ids(n);
  for (const review::HelpfulVote& v : votes) part_votes[shard_of(v.review_id)].push_back(v);
  for (const std::string& id : rank_ids) part_ids[shard_of(id)].push_back(id);

  std::vector<absl::StatusOr<reviewdb::VoteResult>> results(n);
  auto apply = [&](size_t i) { results[i] = db_.ApplyVotes(part_votes[i], part_ids[i], sort_key); };
  std::vector<std::thread> threads;
  threads.reserve(n - 1);
  for (size_t i = 1; i < n; ++i) threads.emplace_back(apply, i);
  apply(0);
  for (std::thread& t : threads) t.join();

  reviewdb::VoteResult merged;
  for (absl::StatusOr<reviewdb::VoteResult>& r : results) {
    if (!r.ok()) return r.status();
    merged.changed += r->changed;
    merged.unchanged += r->unchanged;
    merged.unknown += r->unknown;
    for (reviewdb::RankedReview& review : r->reviews) merged.reviews.push_back(std::move(review));
  }
  return merged;
}

}  // namespace candor::helpfulness_ranker
