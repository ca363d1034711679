#include "tools/candor-helpful-eval/evaluation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace candor::helpful_eval {

SplitVotes Split(const VotedReview& review, double seen_share, std::mt19937_64& rng) {
  SplitVotes s;
  const int64_t total = std::max<int64_t>(review.total, 0);
  const int64_t helpful = std::clamp<int64_t>(review.helpful, 0, total);
  std::binomial_distribution<int64_t> helpful_seen(helpful, seen_share);
  std::binomial_distribution<int64_t> unhelpful_seen(total - helpful, seen_share);
  s.seen_helpful = helpful_seen(rng);
  s.seen_total = s.seen_helpful + unhelpful_seen(rng);
  s.future_helpful = helpful - s.seen_helpful;
  s.future_total = total - s.seen_total;
  return s;
}

std::string OrderName(Order order) {
  switch (order) {
    case Order::kWilson:
      return "wilson";
    case Order::kCandorKey:
      return "wilson x recency";
    case Order::kHelpfulCount:
      return "helpful count";
    case Order::kHelpfulRatio:
      return "helpful ratio";
    case Order::kNewest:
      return "newest";
    case Order::kRandom:
      return "random";
  }
  return "?";
}

double NdcgAtK(const std::vector<double>& relevance_in_order, int k) {
  auto dcg = [k](const std::vector<double>& rel) {
    double sum = 0;
    for (size_t i = 0; i < rel.size() && static_cast<int>(i) < k; ++i) {
      sum += rel[i] / std::log2(static_cast<double>(i) + 2);
    }
    return sum;
  };
  std::vector<double> ideal = relevance_in_order;
  std::sort(ideal.begin(), ideal.end(), std::greater<>());
  const double best = dcg(ideal);
  return best <= 0 ? 1.0 : dcg(relevance_in_order) / best;
}

std::vector<JudgedReview> Rank(std::vector<JudgedReview> judged, Order order,
                               const helpfulness::ScoreParams& params, std::mt19937_64& rng) {
  std::sort(judged.begin(), judged.end(), [](const JudgedReview& a, const JudgedReview& b) {
    return a.review->id < b.review->id;
  });
  if (order == Order::kRandom) {
    std::shuffle(judged.begin(), judged.end(), rng);
    return judged;
  }
  auto key = [&](const JudgedReview& j) -> double {
    const SplitVotes& v = j.votes;
    switch (order) {
      case Order::kWilson:
        return helpfulness::WilsonLowerBound(v.seen_helpful, v.seen_total, params.z);
      case Order::kCandorKey:
        return helpfulness::SortKey(v.seen_helpful, v.seen_total, /*verified=*/false,
                                    j.review->created, params);
      case Order::kHelpfulCount:
        return static_cast<double>(v.seen_helpful);
      case Order::kHelpfulRatio:
        return v.seen_total > 0 ? static_cast<double>(v.seen_helpful) / v.seen_total : 0.0;
      case Order::kNewest:
        return absl::ToDoubleSeconds(j.review->created - absl::UnixEpoch());
      case Order::kRandom:
        break;
    }
    return 0;
  };
  std::vector<std::pair<double, JudgedReview>> keyed;
  keyed.reserve(judged.size());
  for (JudgedReview& j : judged) keyed.emplace_back(key(j), std::move(j));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<JudgedReview> out;
  out.reserve(keyed.size());
  for (auto& [unused, j] : keyed) out.push_back(std::move(j));
  return out;
}

SeedResult EvaluateSeed(const std::vector<VotedReview>& reviews, uint64_t seed,
                        const Options& options) {
  SeedResult result;
  result.seed = seed;
  result.ndcg.assign(std::size(kAllOrders), 0.0);
  std::mt19937_64 rng(seed);

  std::map<std::string, ProductCase> by_product;
  for (const VotedReview& r : reviews) {
    // Every review draws its split, judged or not, so one review's presence does not shift the
    // others' draws between option settings.
    SplitVotes v = Split(r, options.seen_share, rng);
    if (v.future_total < std::max<int64_t>(options.min_future_votes, 1)) continue;
    ProductCase& c = by_product[r.asin];
    c.asin = r.asin;
    c.judged.push_back(JudgedReview{&r, v, static_cast<double>(v.future_helpful) / v.future_total});
  }
  for (auto& [asin, c] : by_product) {
    if (static_cast<int>(c.judged.size()) < options.min_judged_per_product) continue;
    const double first = c.judged.front().relevance;
    const bool informative =
        std::any_of(c.judged.begin(), c.judged.end(),
                    [&](const JudgedReview& j) { return j.relevance != first; });
    if (!informative) continue;
    for (size_t o = 0; o < std::size(kAllOrders); ++o) {
      std::vector<JudgedReview> ranked = Rank(c.judged, kAllOrders[o], options.params, rng);
      std::vector<double> rel;
      rel.reserve(ranked.size());
      for (const JudgedReview& j : ranked) rel.push_back(j.relevance);
      result.ndcg[o] += NdcgAtK(rel, options.k);
    }
    ++result.products;
    result.judged += static_cast<int64_t>(c.judged.size());
    result.cases.push_back(std::move(c));
  }
  if (result.products > 0) {
    for (double& n : result.ndcg) n /= static_cast<double>(result.products);
  }
  return result;
}

}  // namespace candor::helpful_eval
