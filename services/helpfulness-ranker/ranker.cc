#include "services/helpfulness-ranker/ranker.h"

#include <map>
#include <set>

namespace candor::helpfulness_ranker {

double SortKeyOf(const reviewdb::RankedReview& r, const helpfulness::ScoreParams& params) {
  return helpfulness::SortKey(r.helpful_votes, r.total_votes, r.verified_purchase, r.submitted_at,
                              params);
}

double Ranker::SortKeyOf(const reviewdb::RankedReview& r) const {
  return helpfulness_ranker::SortKeyOf(r, params_);
}

absl::Status Ranker::Apply(const std::vector<review::HelpfulVote>& votes,
                           const std::vector<std::string>& rank_ids) {
  if (votes.empty() && rank_ids.empty()) return absl::OkStatus();
  absl::StatusOr<reviewdb::VoteResult> result = ledger_.Apply(
      votes, rank_ids, [this](const reviewdb::RankedReview& r) { return SortKeyOf(r); });
  if (!result.ok()) return result.status();
  if (absl::Status s = Propagate(*result, {}); !s.ok()) return s;
  stats_.votes_changed += result->changed;
  stats_.votes_unchanged += result->unchanged;
  stats_.votes_unknown += result->unknown;
  return absl::OkStatus();
}

absl::Status Ranker::Repair(const std::vector<std::string>& review_ids,
                            const std::vector<std::string>& rebuild_asins) {
  reviewdb::VoteResult recounted;
  if (!review_ids.empty()) {
    absl::StatusOr<reviewdb::VoteResult> result = ledger_.Recount(
        review_ids, [this](const reviewdb::RankedReview& r) { return SortKeyOf(r); });
    if (!result.ok()) return result.status();
    recounted = *std::move(result);
  }
  return Propagate(recounted, rebuild_asins);
}

absl::Status Ranker::Propagate(const reviewdb::VoteResult& result,
                               const std::vector<std::string>& rebuild_asins) {
  // Grouped by product (std::map: a stable order, so one product's update is one script call).
  std::map<std::string, std::vector<RankChange>> by_product;
  std::vector<review::ReviewScore> scores;
  const absl::Time now = clock_.Now();
  int64_t ranked = 0;
  int64_t unranked = 0;
  for (const reviewdb::RankedReview& r : result.reviews) {
    by_product[r.asin].push_back({r.review_id, r.sort_key});
    ++(r.sort_key ? ranked : unranked);
    scores.push_back({.review_id = r.review_id,
                      .asin = r.asin,
                      .helpful_votes = r.helpful_votes,
                      .total_votes = r.total_votes,
                      .sort_key = r.sort_key.value_or(0.0),
                      .ranked = r.sort_key.has_value(),
                      .scored_at = now});
  }
  std::vector<std::pair<std::string, std::vector<RankChange>>> products(by_product.begin(),
                                                                        by_product.end());
  absl::StatusOr<std::vector<std::string>> unknown = cache_.Update(products);
  if (!unknown.ok()) return unknown.status();
  // A product the cache does not know is rebuilt from the ledger as it stands after the commit,
  // which already includes this batch.
  std::set<std::string> rebuild(unknown->begin(), unknown->end());
  rebuild.insert(rebuild_asins.begin(), rebuild_asins.end());
  for (const std::string& asin : rebuild) {
    absl::StatusOr<std::vector<std::pair<double, std::string>>> top =
        ledger_.TopRanked(asin, top_n_);
    if (!top.ok()) return top.status();
    const bool complete = static_cast<int>(top->size()) < top_n_;
    if (absl::Status s = cache_.Rebuild(asin, *top, complete); !s.ok()) return s;
    ++stats_.rebuilds;
  }
  if (absl::Status s = publisher_.Publish(scores); !s.ok()) return s;

  stats_.reviews_ranked += ranked;
  stats_.reviews_unranked += unranked;
  stats_.scores_published += static_cast<int64_t>(scores.size());
  return absl::OkStatus();
}

}  // namespace candor::helpfulness_ranker
