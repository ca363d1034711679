#include "services/reco-api/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace candor::reco_api {
namespace {

bool Excluded(const Rules& rules, const absl::flat_hash_set<std::string>& excluded,
              const std::string& asin) {
  return excluded.contains(asin) || rules.blocked.contains(asin) ||
         rules.fraud_campaigns.contains(asin);
}

std::vector<ScoredItem> FromPopular(std::span<const PopularItem> popular) {
  std::vector<ScoredItem> out;
  out.reserve(popular.size());
  for (const PopularItem& p : popular) {
    out.push_back(
        {.asin = p.asin, .score = static_cast<float>(p.count), .stage = Stage::kPopularity});
  }
  return out;
}

}  // namespace

std::vector<ScoredItem> ReRank(std::vector<ScoredItem> candidates, const Rules& rules,
                               const absl::flat_hash_set<std::string>& excluded, int32_t count) {
  const auto want = static_cast<size_t>(std::max(count, 0));
  std::vector<ScoredItem> kept;
  kept.reserve(std::min(candidates.size(), want * 2 + 16));
  absl::flat_hash_set<std::string> pinned;
  for (const Pin& p : rules.pins) pinned.insert(p.asin);
  for (ScoredItem& c : candidates) {
    if (Excluded(rules, excluded, c.asin) || pinned.contains(c.asin)) continue;
    if (auto it = rules.boost.find(c.asin); it != rules.boost.end()) c.score += it->second;
    kept.push_back(std::move(c));
  }
  if (!rules.boost.empty()) {
    std::stable_sort(kept.begin(), kept.end(),
                     [](const ScoredItem& a, const ScoredItem& b) { return a.score > b.score; });
  }
  std::vector<ScoredItem> out;
  out.reserve(want);
  if (rules.category_cap > 0) {
    absl::flat_hash_map<std::string, int32_t> per_category;
    std::vector<ScoredItem> over_cap;
    for (ScoredItem& c : kept) {
      if (out.size() == want) break;
      auto category = rules.category.find(c.asin);
      if (category != rules.category.end() &&
          ++per_category[category->second] > rules.category_cap) {
        over_cap.push_back(std::move(c));
        continue;
      }
      out.push_back(std::move(c));
    }
    for (ScoredItem& c : over_cap) {
      if (out.size() == want) break;
      out.push_back(std::move(c));
    }
  } else {
    for (ScoredItem& c : kept) {
      if (out.size() == want) break;
      out.push_back(std::move(c));
    }
  }
  for (const Pin& p : rules.pins) {
    if (Excluded(rules, excluded, p.asin)) continue;
    const auto at = static_cast<size_t>(p.position - 1);
    if (at >= want) continue;
    const float score = out.empty() ? 0.0F : out[std::min(at, out.size() - 1)].score;
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(std::min(at, out.size())),
               {.asin = p.asin, .score = score, .stage = Stage::kRule});
  }
  if (out.size() > want) out.resize(want);
  return out;
}

Retrieval Retrieve(const ModelSnapshot* model, Pipeline pipeline,
                   std::span<const HistoryItem> history, std::span<const PopularItem> popular,
                   const FunnelOptions& options) {
  Retrieval out;
  if (pipeline == Pipeline::kFunnel && model != nullptr) {
    std::vector<int32_t> rows;
    rows.reserve(history.size());
    for (const HistoryItem& h : history) {
      if (int32_t row = model->Row(h.asin); row >= 0) rows.push_back(row);
    }
    const auto window = static_cast<size_t>(model->weights.history);
    out.history_used = static_cast<int32_t>(std::min(rows.size(), window));
    if (!rows.empty()) {
      std::vector<float> user(static_cast<size_t>(model->weights.dim));
      std::vector<float> scratch;
      reco::UserVector(model->weights, rows, user, scratch);
      // Ask for what the history will remove too, so `candidates` are left after it.
      const int32_t k =
          std::min(options.candidates + static_cast<int32_t>(history.size()), model->index->size());
      for (const reco::Neighbour& n : model->index->Search(user, k)) {
        out.candidates.push_back(
            {.asin = model->Asin(n.row), .score = n.score, .stage = Stage::kRetrieval});
      }
    }
  }
  if (out.candidates.empty()) out.candidates = FromPopular(popular);
  return out;
}

std::vector<ScoredItem> Finish(std::vector<ScoredItem> candidates, const Rules& rules,
                               std::span<const HistoryItem> history,
                               std::span<const PopularItem> popular, int32_t count) {
  absl::flat_hash_set<std::string> seen;
  for (const HistoryItem& h : history) seen.insert(h.asin);
  std::vector<ScoredItem> items = ReRank(std::move(candidates), rules, seen, count);
  if (items.size() < static_cast<size_t>(count)) {
    for (const ScoredItem& item : items) seen.insert(item.asin);
    std::vector<ScoredItem> backfill = ReRank(FromPopular(popular),
                                              Rules{.blocked = rules.blocked,
                                                    .boost = {},
                                                    .pins = {},
                                                    .fraud_campaigns = rules.fraud_campaigns,
                                                    .category = {},
                                                    .category_cap = 0},
                                              seen, count - static_cast<int32_t>(items.size()));
    for (ScoredItem& item : backfill) items.push_back(std::move(item));
  }
  return items;
}

std::vector<ScoredItem> RankerOrder(std::vector<ScoredItem> ranked, std::span<const float> scores,
                                    std::vector<ScoredItem> rest) {
  float lowest = 0;
  for (size_t i = 0; i < ranked.size() && i < scores.size(); ++i) {
    ranked[i].score = scores[i];
    ranked[i].stage = Stage::kRanker;
    lowest = i == 0 ? scores[i] : std::min(lowest, scores[i]);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const ScoredItem& a, const ScoredItem& b) { return a.score > b.score; });
  for (size_t i = 0; i < rest.size(); ++i) {
    rest[i].score = lowest - 1.0F - static_cast<float>(i);
    ranked.push_back(std::move(rest[i]));
  }
  return ranked;
}

Answer Recommend(const ModelSnapshot* model, const Rules& rules, Pipeline pipeline,
                 std::span<const HistoryItem> history, std::span<const PopularItem> popular,
                 int32_t count, const FunnelOptions& options) {
  Retrieval r = Retrieve(model, pipeline, history, popular, options);
  return {.items = Finish(std::move(r.candidates), rules, history, popular, count),
          .history_used = r.history_used};
}

absl::StatusOr<std::vector<ScoredItem>> Similar(const ModelSnapshot& model, const Rules& rules,
                                                std::string_view asin, int32_t count) {
  const int32_t row = model.Row(asin);
  if (row < 0) {
    return absl::NotFoundError(
        absl::StrCat("asin: the model does not know '", std::string(asin), "'"));
  }
  const auto dim = static_cast<size_t>(model.weights.dim);
  std::span<const float> query(model.weights.item_vectors.data() + static_cast<size_t>(row) * dim,
                               dim);
  // Room for itself and for what the rules leave out.
  const int32_t k = std::min(
      count + 1 + static_cast<int32_t>(rules.blocked.size() + rules.fraud_campaigns.size()),
      model.index->size());
  std::vector<ScoredItem> out;
  for (const reco::Neighbour& n : model.index->Search(query, k)) {
    if (n.row == row) continue;
    const std::string& other = model.Asin(n.row);
    if (rules.blocked.contains(other) || rules.fraud_campaigns.contains(other)) continue;
    out.push_back({.asin = other, .score = n.score, .stage = Stage::kRetrieval});
    if (out.size() == static_cast<size_t>(count)) break;
  }
  return out;
}

}  // namespace candor::reco_api
