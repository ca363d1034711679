#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/clock.h"
#include "libs/reco/ltr_ranker.h"
#include "services/reco-api/engine.h"
#include "services/reco-api/history_store.h"
#include "services/reco-api/model_snapshot.h"
#include "services/reco-api/rules.h"

namespace candor::reco_api {

struct CoreOptions {
  FunnelOptions funnel{};
  int32_t popular_window_days = 30;  // the cold-start list's window
  int32_t popular_size = 500;        // how many popular products are kept in memory
  IndexConfig index{};               // for model reloads
  int32_t ranker_candidates = 0;     // re-scored by the ranker (0: the depth it was trained on)
};

// What a Recommend answer is, before it becomes a proto.
struct Recommendation {
  Answer answer;
  std::string experiment;
  std::string variant;
};

// reco-api's domain: the history store, the current model (swappable), the popular list (kept
// in memory, refreshed by a periodic job), the rules and the experiment. No gRPC, no Kafka.
// Thread-safe: requests, the refresh and the reload run on different threads.
class RecoCore {
 public:
  // `model` may be null: every answer is then the popular list, and SimilarItems is NOT_FOUND.
  // `ranker` may be null: the funnel then ends at retrieval (no Stage::kRanker).
  RecoCore(HistoryStore& store, std::shared_ptr<const ModelSnapshot> model, Rules rules,
           Experiment experiment, CoreOptions options, const core::Clock& clock,
           std::unique_ptr<reco::LtrRanker> ranker = nullptr);

  // `user_id` is valid (the caller checked it) and 1 <= count <= 100. Unavailable when the
  // history store does not answer.
  absl::StatusOr<Recommendation> Recommend(std::string_view user_id, int32_t count) const;
  // NotFound when the model does not know `asin` (or no model is loaded).
  absl::StatusOr<std::vector<ScoredItem>> Similar(std::string_view asin, int32_t count) const;

  // Reads the popular list from the store (the periodic job and startup). Keeps the old list and
  // returns the error when the store fails.
  absl::Status RefreshPopular();
  // Loads the model file again when its modification time changed, and swaps it in; requests in
  // flight finish on the old one. OK when nothing changed or the swap happened; the load's error
  // otherwise (the old model stays).
  absl::Status ReloadModelIfChanged();
  // Swaps in `next` (tests; ReloadModelIfChanged).
  void SetModel(std::shared_ptr<const ModelSnapshot> next) { model_.Set(std::move(next)); }

  std::shared_ptr<const ModelSnapshot> model() const { return model_.Get(); }
  const Experiment& experiment() const { return experiment_; }
  int64_t popular_size() const;
  int64_t model_swaps() const { return swaps_.load(std::memory_order_relaxed); }

  // The ranker stage (README "The funnel", step 4): the first `ranker_candidates` retrieval
  // candidates not in `history`, their features from the feature store through
  // reco::ComputeFeatureRows (the trainer's code), re-ordered by the ranker; the other
  // candidates follow. Unavailable when the feature store does not answer.
  absl::StatusOr<std::vector<ScoredItem>> Rank(std::vector<ScoredItem> candidates,
                                               std::span<const HistoryItem> history,
                                               absl::Time now) const;

 private:
  HistoryStore& store_;
  ModelHolder model_;
  const Rules rules_;
  const Experiment experiment_;
  const CoreOptions options_;
  const core::Clock& clock_;
  const std::unique_ptr<reco::LtrRanker> ranker_;
  mutable std::mutex popular_mu_;
  std::shared_ptr<const std::vector<PopularItem>> popular_;
  std::atomic<int64_t> swaps_{0};
};

}  // namespace candor::reco_api
