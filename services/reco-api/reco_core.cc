#include "services/reco-api/reco_core.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace candor::reco_api {

RecoCore::RecoCore(HistoryStore& store, std::shared_ptr<const ModelSnapshot> model, Rules rules,
                   Experiment experiment, CoreOptions options, const core::Clock& clock)
    : store_(store),
      model_(std::move(model)),
      rules_(std::move(rules)),
      experiment_(std::move(experiment)),
      options_(options),
      clock_(clock),
      popular_(std::make_shared<const std::vector<PopularItem>>()) {}

absl::StatusOr<Recommendation> RecoCore::Recommend(std::string_view user_id, int32_t count) const {
  const Variant& variant = experiment_.Assign(user_id);
  absl::StatusOr<std::vector<HistoryItem>> history = store_.History(user_id);
  if (!history.ok()) return history.status();
  std::shared_ptr<const std::vector<PopularItem>> popular;
  {
    std::lock_guard lock(popular_mu_);
    popular = popular_;
  }
  const std::shared_ptr<const ModelSnapshot> model = model_.Get();
  Recommendation out;
  out.answer = reco_api::Recommend(model.get(), rules_, variant.pipeline, *history, *popular, count,
                                   options_.funnel);
  out.experiment = experiment_.name();
  out.variant = variant.name;
  return out;
}

absl::StatusOr<std::vector<ScoredItem>> RecoCore::Similar(std::string_view asin,
                                                          int32_t count) const {
  const std::shared_ptr<const ModelSnapshot> model = model_.Get();
  if (model == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("asin: no model is loaded, so '", std::string(asin), "' is unknown"));
  }
  return reco_api::Similar(*model, rules_, asin, count);
}

absl::Status RecoCore::RefreshPopular() {
  absl::StatusOr<std::vector<PopularItem>> popular =
      store_.Popular(clock_.Now(), options_.popular_window_days, options_.popular_size);
  if (!popular.ok()) return popular.status();
  auto next = std::make_shared<const std::vector<PopularItem>>(*std::move(popular));
  std::lock_guard lock(popular_mu_);
  popular_ = std::move(next);
  return absl::OkStatus();
}

int64_t RecoCore::popular_size() const {
  std::lock_guard lock(popular_mu_);
  return static_cast<int64_t>(popular_->size());
}

absl::Status RecoCore::ReloadModelIfChanged() {
  const std::shared_ptr<const ModelSnapshot> current = model_.Get();
  if (current == nullptr) return absl::OkStatus();  // no --model: nothing to watch
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(current->path, ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat(current->path, ": ", ec.message(), " (the loaded model stays in use)"));
  }
  if (mtime == current->file_mtime) return absl::OkStatus();
  absl::StatusOr<std::shared_ptr<const ModelSnapshot>> next =
      LoadSnapshot(current->path, options_.index);
  if (!next.ok()) return next.status();
  spdlog::info("model {} changed: {} items, dim {}, index {}; swapped in", current->path,
               (*next)->weights.items, (*next)->weights.dim, (*next)->index->Name());
  model_.Set(*std::move(next));
  swaps_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace candor::reco_api
