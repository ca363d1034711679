#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/helpfulness/score.h"

namespace candor::helpful_eval {

// One review with its real helpfulness votes, as the evaluation reads it.
struct VotedReview {
  std::string id;  // unique in the data (a file's reviewerID + asin)
  std::string asin;
  int64_t helpful = 0;
  int64_t total = 0;
  absl::Time created;
};

// A review's votes dealt at random into a "seen" share (what a ranking may use) and a "future"
// share (what it is judged against): each vote independently, so the two halves are what two
// periods of the same shoppers' voting would look like.
struct SplitVotes {
  int64_t seen_helpful = 0;
  int64_t seen_total = 0;
  int64_t future_helpful = 0;
  int64_t future_total = 0;
};
SplitVotes Split(const VotedReview& review, double seen_share, std::mt19937_64& rng);

// The orders compared. Each sorts a product's reviews by the seen votes only, best first; ties
// keep the order of the review ids, which is arbitrary but fixed.
enum class Order {
  kWilson,        // Wilson lower bound (95 %) of seen helpful / seen total
  kCandorKey,     // libs/helpfulness SortKey: Wilson x recency (the data carries no verified flag)
  kHelpfulCount,  // raw count of seen helpful votes
  kHelpfulRatio,  // seen helpful / seen total (0 without seen votes)
  kNewest,        // newest first
  kRandom,        // a shuffle: the floor any order should beat
};
inline constexpr Order kAllOrders[] = {Order::kWilson,       Order::kCandorKey,
                                       Order::kHelpfulCount, Order::kHelpfulRatio,
                                       Order::kNewest,       Order::kRandom};
std::string OrderName(Order order);

// NDCG@k of a ranking, given the relevance of its items in ranked order (linear gain
// rel / log2(rank + 1)) against the ideal order of the same items. 1 when every relevance is 0.
double NdcgAtK(const std::vector<double>& relevance_in_order, int k);

struct Options {
  int k = 10;
  double seen_share = 0.5;
  // A review is judged (and ranked) only when its future share holds at least this many votes:
  // its future helpful ratio is then the relevance. Reviews with fewer are left out of the
  // product's list altogether (a condensed list), so no order is judged on unknown relevance.
  int64_t min_future_votes = 3;
  // A product is evaluated when at least this many of its reviews are judged and their
  // relevances are not all equal (otherwise every order scores 1 and tells nothing).
  int min_judged_per_product = 2;
  helpfulness::ScoreParams params;
};

// One product's judged reviews under one seed, with the seen / future split.
struct JudgedReview {
  const VotedReview* review = nullptr;
  SplitVotes votes;
  double relevance = 0;  // future helpful / future total
};
struct ProductCase {
  std::string asin;
  std::vector<JudgedReview> judged;
};

struct SeedResult {
  uint64_t seed = 0;
  int64_t products = 0;      // products evaluated
  int64_t judged = 0;        // judged reviews over those products
  std::vector<double> ndcg;  // mean NDCG@k over the products, per kAllOrders entry
  std::vector<ProductCase> cases;
};

// Splits every review's votes with `seed`, keeps the products that qualify (Options), ranks
// each by every order and averages NDCG@k over products.
SeedResult EvaluateSeed(const std::vector<VotedReview>& reviews, uint64_t seed,
                        const Options& options);

// `judged` sorted by `order` (best first); `rng` is used only by kRandom.
std::vector<JudgedReview> Rank(std::vector<JudgedReview> judged, Order order,
                               const helpfulness::ScoreParams& params, std::mt19937_64& rng);

}  // namespace candor::helpful_eval
