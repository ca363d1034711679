#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/reco-api/model_snapshot.h"
#include "services/reco-api/rules.h"

namespace candor::reco_api {

// Which stage put an item in an answer (candor.reco.v1.Stage's numbers).
enum class Stage : int { kPopularity = 1, kRetrieval = 2, kRanker = 3, kRule = 4 };

// One of the user's reviews, as the history store keeps it.
struct HistoryItem {
  std::string asin;
  int64_t unix_time = 0;
};

// One product of the recently-popular list: accepted reviews in the window.
struct PopularItem {
  std::string asin;
  double count = 0;
};

struct ScoredItem {
  std::string asin;
  float score = 0;
  Stage stage = Stage::kPopularity;
};

struct Answer {
  std::vector<ScoredItem> items;
  // How many history items the user tower read (0: the answer is the cold-start list).
  int32_t history_used = 0;
};

struct FunnelOptions {
  int32_t candidates = 1000;  // retrieved from the index per request
};

// The first stage: the candidates, best first, and the history rows the tower read. Step 1 of
// Recommend below. Retrieval candidates may include history items (Finish drops them).
struct Retrieval {
  std::vector<ScoredItem> candidates;
  int32_t history_used = 0;
};
Retrieval Retrieve(const ModelSnapshot* model, Pipeline pipeline,
                   std::span<const HistoryItem> history, std::span<const PopularItem> popular,
                   const FunnelOptions& options);

// Steps 2 and 3 of Recommend: re-rank, then backfill from the popular list.
std::vector<ScoredItem> Finish(std::vector<ScoredItem> candidates, const Rules& rules,
                               std::span<const HistoryItem> history,
                               std::span<const PopularItem> popular, int32_t count);

// The ranker's order: `ranked` (candidates the ranker scored, `scores` one per item) first by
// score, each Stage::kRanker with its score, then `rest` in their order with scores below every
// ranked one (so a re-sort keeps the order).
std::vector<ScoredItem> RankerOrder(std::vector<ScoredItem> ranked, std::span<const float> scores,
                                    std::vector<ScoredItem> rest);

// The funnel for one request (README "The funnel"), pure: no store, no clock.
// 1. Candidates: with Pipeline::kFunnel and at least one history item the model knows, the user
//    tower's vector of the newest history (oldest first in `history`) against the item index,
//    `options.candidates` of them (Stage::kRetrieval, score = the inner product). Otherwise the
//    popular list (Stage::kPopularity, score = its count): the cold start and the control arm.
// 2. Re-rank (ReRank below) with `rules`, leaving out everything in `history`.
// 3. Backfill from `popular` (same filters) when fewer than `count` are left.
// `model` may be null (no model loaded): every answer is then the popular list.
Answer Recommend(const ModelSnapshot* model, const Rules& rules, Pipeline pipeline,
                 std::span<const HistoryItem> history, std::span<const PopularItem> popular,
                 int32_t count, const FunnelOptions& options);

// The re-ranker, on candidates best first: drops what `excluded` holds (the user's own
// reviews), what the rules block and products under an active fraud campaign; adds each
// product's boost to its score and re-sorts (stable); keeps at most `rules.category_cap` items
// per category while others are left (items over the cap fill in last, so a one-category
// catalogue still answers); places pinned products at their positions (Stage::kRule) unless
// excluded or blocked; returns at most `count`.
std::vector<ScoredItem> ReRank(std::vector<ScoredItem> candidates, const Rules& rules,
                               const absl::flat_hash_set<std::string>& excluded, int32_t count);

// Products like `asin`: its item vector against the index, itself, blocked products and fraud
// campaigns left out, best first (Stage::kRetrieval). NotFound when the model does not know it.
absl::StatusOr<std::vector<ScoredItem>> Similar(const ModelSnapshot& model, const Rules& rules,
                                                std::string_view asin, int32_t count);

}  // namespace candor::reco_api
