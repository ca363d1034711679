#include "services/reco-api/model_snapshot.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace candor::reco_api {

absl::StatusOr<std::shared_ptr<const ModelSnapshot>> LoadSnapshot(const std::string& path,
                                                                  const IndexConfig& index) {
  auto snapshot = std::make_shared<ModelSnapshot>();
  snapshot->path = path;
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (!ec) snapshot->file_mtime = mtime;
  absl::StatusOr<reco::LoadedTwoTower> loaded = reco::ReadTwoTower(path);
  if (!loaded.ok()) return loaded.status();
  snapshot->weights = std::move(loaded->weights);
  const reco::TwoTowerWeights& w = snapshot->weights;
  snapshot->row_of.reserve(w.item_ids.size());
  for (int32_t row = 0; row < w.items; ++row) {
    if (!snapshot->row_of.emplace(w.item_ids[static_cast<size_t>(row)], row).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": item id '", w.item_ids[static_cast<size_t>(row)], "' appears twice"));
    }
  }
  absl::StatusOr<std::unique_ptr<reco::AnnIndex>> built;
  const std::string kind =
      index.kind != "auto" ? index.kind : (w.items <= index.exact_max_items ? "exact" : "hnsw");
  if (kind == "hnsw") {
    built = reco::BuildHnswIndex(w.item_vectors, w.dim, index.hnsw);
  } else if (kind == "exact") {
    built = reco::BuildExactIndex(w.item_vectors, w.dim);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("index kind: must be auto, hnsw or exact, got '", index.kind, "'"));
  }
  if (!built.ok()) return built.status();
  snapshot->index = std::move(*built);
  return snapshot;
}

}  // namespace candor::reco_api
