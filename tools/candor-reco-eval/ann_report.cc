#include "tools/candor-reco-eval/ann_report.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <iostream>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/reco/recommender.h"

namespace candor::reco {
namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The data's dense item ids -> model rows (-1: the model does not know the item), as
// TwoTowerModel::Bind.
std::vector<int32_t> RowOfItem(const TwoTowerWeights& weights, const InteractionLog& log) {
  absl::flat_hash_map<std::string_view, int32_t> row;
  row.reserve(weights.item_ids.size());
  for (int32_t r = 0; r < weights.items; ++r) row.emplace(weights.item_ids[r], r);
  std::vector<int32_t> row_of(static_cast<std::size_t>(log.num_items()), -1);
  for (int32_t i = 0; i < log.num_items(); ++i) {
    const auto it = row.find(log.ItemId(i));
    if (it != row.end()) row_of[static_cast<std::size_t>(i)] = it->second;
  }
  return row_of;
}

// The user tower's output for a history of dense item ids (unknown items skipped).
class QueryVectors {
 public:
  QueryVectors(const TwoTowerWeights& weights, const std::vector<int32_t>& row_of)
      : weights_(weights), row_of_(row_of), user_(static_cast<std::size_t>(weights.dim)) {}

  std::span<const float> For(std::span<const Event> history) {
    rows_.clear();
    for (const Event& e : history) {
      const int32_t row = row_of_[static_cast<std::size_t>(e.item)];
      if (row >= 0) rows_.push_back(row);
    }
    UserVector(weights_, rows_, user_, scratch_);
    return user_;
  }

 private:
  const TwoTowerWeights& weights_;
  const std::vector<int32_t>& row_of_;
  std::vector<int32_t> rows_;
  std::vector<float> user_;
  std::vector<float> scratch_;
};

// The two-tower model restricted to an index's top `candidates` for the user vector: those items
// keep their inner product, every other item scores the lowest float (the evaluation counts the
// target among them in expectation over the tie, so a miss costs what it costs in serving).
class CandidateTwoTower : public Recommender {
 public:
  CandidateTwoTower(const TwoTowerWeights& weights, const std::vector<int32_t>& row_of,
                    const AnnIndex& index, int32_t candidates)
      : queries_(weights, row_of), index_(index), candidates_(candidates) {
    dense_of_.assign(static_cast<std::size_t>(weights.items), -1);
    for (std::size_t i = 0; i < row_of.size(); ++i) {
      if (row_of[i] >= 0) dense_of_[static_cast<std::size_t>(row_of[i])] = static_cast<int32_t>(i);
    }
  }

  std::string Name() const override {
    return absl::StrCat("twotower+", index_.Name(), "top", candidates_);
  }
  absl::Status Fit(const Sequences& /*train*/) override { return absl::OkStatus(); }
  void Score(const Query& query, std::span<float> scores) override {
    std::fill(scores.begin(), scores.end(), std::numeric_limits<float>::lowest());
    for (const Neighbour& n : index_.Search(queries_.For(query.history), candidates_)) {
      const int32_t item = dense_of_[static_cast<std::size_t>(n.row)];
      if (item >= 0 && static_cast<std::size_t>(item) < scores.size()) {
        scores[static_cast<std::size_t>(item)] = n.score;
      }
    }
  }

 private:
  QueryVectors queries_;
  const AnnIndex& index_;
  int32_t candidates_;
  std::vector<int32_t> dense_of_;
};

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Microseconds per Search(query, k) over every query: wall time, and this thread's CPU time
// (what the search costs when the machine is shared).
struct PerQuery {
  double wall_us = 0;
  double cpu_us = 0;
};

PerQuery MicrosPerQuery(const AnnIndex& index, std::span<const float> queries, int32_t k) {
  const auto dim = static_cast<std::size_t>(index.dim());
  const std::size_t count = queries.size() / dim;
  if (count == 0) return {};
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  std::size_t found = 0;
  for (std::size_t q = 0; q < count; ++q) {
    found += index.Search(queries.subspan(q * dim, dim), k).size();
  }
  const double cpu = ThreadCpuSeconds() - cpu_start;
  const double wall = Since(start);
  if (found == 0) return {};
  return {.wall_us = 1e6 * wall / static_cast<double>(count),
          .cpu_us = 1e6 * cpu / static_cast<double>(count)};
}

// Item-to-item recall@k with the query item itself left out of both answers: each index is
// asked for k + 1 rows, the item is dropped and the first k kept; the overlap is divided by
// min(k, size - 1).
double RecallWithoutSelf(const AnnIndex& approx, const AnnIndex& exact,
                         std::span<const float> item_vectors, int32_t k) {
  const auto dim = static_cast<std::size_t>(exact.dim());
  const int32_t size = exact.size();
  if (size < 2) return 0;
  const double denominator = std::min(k, size - 1);
  const auto without = [k](std::vector<Neighbour> ns, int32_t self) {
    std::vector<int32_t> rows;
    for (const Neighbour& n : ns) {
      if (n.row != self && static_cast<int32_t>(rows.size()) < k) rows.push_back(n.row);
    }
    return rows;
  };
  double sum = 0;
  for (int32_t r = 0; r < size; ++r) {
    const std::span<const float> query =
        item_vectors.subspan(static_cast<std::size_t>(r) * dim, dim);
    std::vector<int32_t> truth = without(exact.Search(query, k + 1), r);
    std::sort(truth.begin(), truth.end());
    int64_t found = 0;
    for (const int32_t row : without(approx.Search(query, k + 1), r)) {
      found += std::binary_search(truth.begin(), truth.end(), row) ? 1 : 0;
    }
    sum += static_cast<double>(found) / denominator;
  }
  return sum / size;
}

}  // namespace

absl::StatusOr<nlohmann::json> RunAnnReport(const AnnReportOptions& options,
                                            const TwoTowerWeights& weights,
                                            const InteractionLog& log,
                                            const LeaveOneOutSplit& split, Holdout holdout,
                                            const EvalOptions& eval_options,
                                            std::vector<EvalResult>* results) {
  const std::vector<int32_t> row_of = RowOfItem(weights, log);
  if (std::all_of(row_of.begin(), row_of.end(), [](int32_t r) { return r < 0; })) {
    return absl::InvalidArgumentError(
        "ann: the two-tower model knows none of the data's items (a model of other data?)");
  }
  const std::span<const float> items = weights.item_vectors;
  const int32_t k = std::min(options.recall_k, weights.items);
  const int32_t candidates = std::min(options.candidates, weights.items);

  // 1. Build both indexes over every model row.
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<AnnIndex>> exact = BuildExactIndex(items, weights.dim);
  if (!exact.ok()) return exact.status();
  const double exact_build = Since(start);
  start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<AnnIndex>> hnsw = BuildHnswIndex(items, weights.dim, options.hnsw);
  if (!hnsw.ok()) return hnsw.status();
  const double hnsw_build = Since(start);
  std::cerr << absl::StrFormat("ann: %s over %d item vectors (dim %d): built in %.2f s\n",
                               (*hnsw)->Name(), weights.items, weights.dim, hnsw_build);

  // 2. The evaluated users' query vectors: the user tower over the history Evaluate passes.
  QueryVectors user_tower(weights, row_of);
  std::vector<float> users;
  users.reserve(split.Users(holdout).size() * static_cast<std::size_t>(weights.dim));
  for (const int32_t user : split.Users(holdout)) {
    const std::span<const float> u = user_tower.For(split.History(user, holdout));
    users.insert(users.end(), u.begin(), u.end());
  }

  // 3. Recall and search time.
  start = std::chrono::steady_clock::now();
  const double user_recall = RecallAtK(**hnsw, **exact, users, k);
  const double item_recall = RecallAtK(**hnsw, **exact, items, k);
  const double item_recall_without_self = RecallWithoutSelf(**hnsw, **exact, items, k);
  std::cerr << absl::StrFormat(
      "ann: recall@%d %.4f (%d users' vectors), %.4f (item vectors, self included), %.4f (self "
      "excluded) in %.1f s\n",
      k, user_recall, split.Users(holdout).size(), item_recall, item_recall_without_self,
      Since(start));
  nlohmann::json timing = nlohmann::json::array();
  for (const std::unique_ptr<AnnIndex>* index : {&*exact, &*hnsw}) {
    nlohmann::json t = {{"index", (**index).Name()},
                        {"build_seconds", index == &*exact ? exact_build : hnsw_build}};
    for (const int32_t n : {k, candidates}) {
      const PerQuery per = MicrosPerQuery(**index, users, n);
      t[absl::StrCat("us_per_query@", n)] = per.wall_us;
      t[absl::StrCat("cpu_us_per_query@", n)] = per.cpu_us;
    }
    timing.push_back(t);
  }

  // 4. The two-tower model over all items and over HNSW's candidates only.
  TwoTowerModel all(weights);
  all.Bind(log);
  if (absl::Status fit = all.Fit(split.train); !fit.ok()) return fit;
  std::cerr << "evaluate: " << all.Name() << " on the " << HoldoutName(holdout) << " split\n";
  results->push_back(Evaluate(all, split, holdout, eval_options));
  CandidateTwoTower restricted(weights, row_of, **hnsw, candidates);
  std::cerr << "evaluate: " << restricted.Name() << " on the " << HoldoutName(holdout)
            << " split\n";
  results->push_back(Evaluate(restricted, split, holdout, eval_options));
  const EvalResult& full = (*results)[results->size() - 2];
  const EvalResult& cut = results->back();

  return nlohmann::json{
      {"index", (*hnsw)->Name()},
      {"hnsw",
       {{"m", options.hnsw.m},
        {"ef_construction", options.hnsw.ef_construction},
        {"ef_search", options.hnsw.ef_search}}},
      {"items", weights.items},
      {"dim", weights.dim},
      {"k", k},
      {"candidates", candidates},
      {"split", HoldoutName(holdout)},
      {"query_users", split.Users(holdout).size()},
      {"recall_users", user_recall},
      {"recall_items_self_included", item_recall},
      {"recall_items_self_excluded", item_recall_without_self},
      {"timing", timing},
      {"twotower_all", {{"model", full.model}, {"hr@10", full.hit[0]}, {"ndcg@10", full.ndcg[0]}}},
      {"twotower_candidates",
       {{"model", cut.model}, {"hr@10", cut.hit[0]}, {"ndcg@10", cut.ndcg[0]}}}};
}

}  // namespace candor::reco
