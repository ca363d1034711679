#include "libs/reco/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>

#include "libs/reco/metrics.h"

namespace candor::reco {

const char* HoldoutName(Holdout holdout) {
  return holdout == Holdout::kTest ? "test" : "validation";
}

EvalResult Evaluate(Recommender& model, const LeaveOneOutSplit& split, Holdout holdout,
                    const EvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EvalResult result;
  result.model = model.Name();
  result.protocol = split.Protocol();
  result.holdout = holdout;
  result.cutoffs = options.cutoffs;
  result.hit.assign(options.cutoffs.size(), 0);
  result.ndcg.assign(options.cutoffs.size(), 0);
  const int32_t items = split.sequences.num_items();
  result.items = items;

  std::vector<int32_t> order = split.Users(holdout);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return split.Target(a, holdout).unix_time < split.Target(b, holdout).unix_time;
  });

  std::vector<float> scores(static_cast<std::size_t>(items));
  std::vector<int32_t> masked;  // the history's distinct items, the target excluded
  std::vector<int32_t> masked_for(static_cast<std::size_t>(items), -1);
  const int64_t total = static_cast<int64_t>(order.size());
  const int64_t step = std::max<int64_t>(1, (total + 3) / 4);
  for (int64_t n = 0; n < total; ++n) {
    const int32_t user = order[static_cast<std::size_t>(n)];
    const std::span<const Event> history = split.History(user, holdout);
    const Event& target = split.Target(user, holdout);
    model.Score(Query{user, history, target.unix_time}, scores);
    masked.clear();
    for (const Event& e : history) {
      if (e.item == target.item || masked_for[static_cast<std::size_t>(e.item)] == user) continue;
      masked_for[static_cast<std::size_t>(e.item)] = user;
      masked.push_back(e.item);
    }

    // Count over every item in one branch-free pass, then take the target itself and the
    // masked items back out: the history is short, the catalogue long.
    const float mine = scores[static_cast<std::size_t>(target.item)];
    int64_t greater = 0;
    int64_t ties = 0;
    for (const float s : scores) {
      greater += s > mine ? 1 : 0;
      ties += s == mine ? 1 : 0;
    }
    ties -= 1;  // the target ties with itself
    for (const int32_t i : masked) {
      const float s = scores[static_cast<std::size_t>(i)];
      greater -= s > mine ? 1 : 0;
      ties -= s == mine ? 1 : 0;
    }
    // NaN compares false with everything and would rank first: count it a miss.
    for (std::size_t c = 0; c < options.cutoffs.size() && !std::isnan(mine); ++c) {
      const HitNdcg m = ExpectedAtK(greater, ties, options.cutoffs[c]);
      result.hit[c] += m.hit;
      result.ndcg[c] += m.ndcg;
    }
    if (options.progress && ((n + 1) % step == 0 || n + 1 == total)) options.progress(n + 1, total);
  }
  result.users = total;
  for (std::size_t c = 0; c < options.cutoffs.size(); ++c) {
    result.hit[c] /= static_cast<double>(std::max<int64_t>(total, 1));
    result.ndcg[c] /= static_cast<double>(std::max<int64_t>(total, 1));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace candor::reco
