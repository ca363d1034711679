#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/reco/ann_index.h"
#include "libs/reco/two_tower.h"

namespace candor::reco_api {

// How the item vectors are searched.
struct IndexConfig {
  // "auto": exact up to `exact_max_items` items, HNSW above; "hnsw" (FAISS); "exact". Asking
  // for ~1,000 neighbours, an exact scan of a catalogue of 10^4-10^5 items costs less than HNSW
  // (whose candidate heap grows with k): README "Retrieval".
  std::string kind = "auto";
  int64_t exact_max_items = 200000;
  reco::HnswOptions hnsw{};
};

// One loaded model: the two-tower weights (candor-reco-train's export), every item's asin -> row,
// and the nearest-neighbour index over the item vectors. Immutable once built, so any number of
// requests read one at a time while a newer one is being loaded (ModelHolder).
struct ModelSnapshot {
  reco::TwoTowerWeights weights;
  absl::flat_hash_map<std::string, int32_t> row_of;  // asin -> row of weights
  std::unique_ptr<reco::AnnIndex> index;
  std::string path;
  std::filesystem::file_time_type file_mtime{};  // when it was read; a change means reload

  // The row of `asin`, or -1.
  int32_t Row(std::string_view asin) const {
    auto it = row_of.find(absl::string_view(asin.data(), asin.size()));
    return it == row_of.end() ? -1 : it->second;
  }
  const std::string& Asin(int32_t row) const { return weights.item_ids[static_cast<size_t>(row)]; }
};

// Reads the model file and builds its index. NotFound / InvalidArgument from reco::ReadTwoTower
// (naming the file), InvalidArgument for an unknown index kind or a duplicated item id.
absl::StatusOr<std::shared_ptr<const ModelSnapshot>> LoadSnapshot(const std::string& path,
                                                                  const IndexConfig& index);

// The model requests use now. Get() hands out the current snapshot (a request keeps it alive
// while it runs); Set() swaps in a new one without blocking or failing a request in flight.
// Thread-safe.
class ModelHolder {
 public:
  explicit ModelHolder(std::shared_ptr<const ModelSnapshot> first) : current_(std::move(first)) {}
  std::shared_ptr<const ModelSnapshot> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const ModelSnapshot> next) {
    std::lock_guard lock(mu_);
    current_.swap(next);
    // `next` (the old snapshot) is released here, or by the last request still holding it.
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ModelSnapshot> current_;
};

}  // namespace candor::reco_api
