#include "services/reco-api/reco_core.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace candor::reco_api {

RecoCore::RecoCore(HistoryStore& store, std::shared_ptr<const ModelSnapshot> model, Rules rules,
                   Experiment experiment, CoreOptions options, const core::Clock& clock,
                   std::unique_ptr<reco::LtrRanker> ranker)
    : store_(store),
      model_(std::move(model)),
      rules_(std::move(rules)),
      experiment_(std::move(experiment)),
      options_(options),
      clock_(clock),
      ranker_(std::move(ranker)),
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
  Retrieval retrieved =
      Retrieve(model.get(), variant.pipeline, *history, *popular, options_.funnel);
  if (ranker_ != nullptr && retrieved.history_used > 0 && !retrieved.candidates.empty() &&
      retrieved.candidates.front().stage == Stage::kRetrieval) {
    absl::StatusOr<std::vector<ScoredItem>> ranked =
        Rank(std::move(retrieved.candidates), *history, clock_.Now());
    if (!ranked.ok()) return ranked.status();
    retrieved.candidates = *std::move(ranked);
  }
  Recommendation out;
  out.answer = {.items = Finish(std::move(retrieved.candidates), rules_, *history, *popular, count),
                .history_used = retrieved.history_used};
  out.experiment = experiment_.name();
  out.variant = variant.name;
  return out;
}

absl::StatusOr<std::vector<ScoredItem>> RecoCore::Rank(std::vector<ScoredItem> candidates,
                                                       std::span<const HistoryItem> history,
                                                       absl::Time now) const {
  const auto depth = static_cast<size_t>(options_.ranker_candidates > 0
                                             ? options_.ranker_candidates
                                             : std::max(ranker_->metadata().candidates, 1));
  absl::flat_hash_set<std::string> seen;
  for (const HistoryItem& h : history) seen.insert(h.asin);
  std::vector<ScoredItem> ranked;
  std::vector<ScoredItem> rest;
  ranked.reserve(std::min(depth, candidates.size()));
  for (ScoredItem& c : candidates) {
    if (seen.contains(c.asin)) continue;
    (ranked.size() < depth ? ranked : rest).push_back(std::move(c));
  }
  // Local ids: the candidates first, then the history's other products.
  std::vector<std::string> asins;
  absl::flat_hash_map<std::string, int32_t> local;
  asins.reserve(ranked.size() + history.size());
  for (const ScoredItem& c : ranked) {
    local.emplace(c.asin, static_cast<int32_t>(asins.size()));
    asins.push_back(c.asin);
  }
  std::vector<reco::Event> events;
  std::vector<int32_t> history_ids;
  events.reserve(history.size());
  for (const HistoryItem& h : history) {
    auto [it, added] = local.emplace(h.asin, static_cast<int32_t>(asins.size()));
    if (added) {
      asins.push_back(h.asin);
      history_ids.push_back(it->second);
    }
    events.push_back({.item = it->second, .unix_time = h.unix_time});
  }
  const int64_t now_s = absl::ToUnixSeconds(now);
  const int64_t window = ranker_->metadata().recent_window_seconds > 0
                             ? ranker_->metadata().recent_window_seconds
                             : int64_t{30} * 86400;
  absl::StatusOr<FeatureSnapshot> features =
      store_.Features(std::move(asins), history_ids, now_s, window);
  if (!features.ok()) return features.status();
  std::vector<reco::Candidate> scored;
  scored.reserve(ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) {
    scored.push_back({.item = static_cast<int32_t>(i),
                      .tower_score = ranked[i].score,
                      .tower_rank = static_cast<int32_t>(i)});
  }
  const std::vector<reco::RankFeatureVector> rows =
      reco::ComputeFeatureRows(*features, events, scored, now_s);
  absl::StatusOr<std::vector<float>> scores = ranker_->Score(rows);
  if (!scores.ok()) return scores.status();
  return RankerOrder(std::move(ranked), *scores, std::move(rest));
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
