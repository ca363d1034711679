#include "services/reco-api/app.h"

#include <memory>
#include <optional>
#include <vector>

#include "libs/core/clock.h"
#include "libs/metrics/grpc_call_metrics.h"
#include "libs/metrics/metrics.h"
#include "libs/service/grpc_component.h"
#include "libs/service/periodic_component.h"
#include "libs/service/rest_component.h"
#include "openapi/RecoApiOpenApi.h"
#include "services/reco-api/grpc_service.h"
#include "services/reco-api/history_consumer.h"
#include "services/reco-api/impression_log.h"
#include "services/reco-api/reco_core.h"
#include "services/reco-api/redis_history_store.h"
#include "spdlog/spdlog.h"

namespace candor::reco_api {
namespace {

// What CreateApp loads before anything connects: a bad file stops the start with its reason.
struct Loaded {
  std::shared_ptr<const ModelSnapshot> model;
  std::unique_ptr<reco::LtrRanker> ranker;
  Rules rules;
  Experiment experiment;
};

IndexConfig IndexOf(const Config& c) {
  return {.kind = c.index,
          .exact_max_items = c.exact_max_items,
          .hnsw = {.m = static_cast<int32_t>(c.hnsw_m),
                   .ef_construction = 200,
                   .ef_search = static_cast<int32_t>(c.hnsw_ef_search)}};
}

absl::StatusOr<Loaded> Load(const Config& c) {
  Loaded out;
  if (!c.model.empty()) {
    absl::StatusOr<std::shared_ptr<const ModelSnapshot>> model = LoadSnapshot(c.model, IndexOf(c));
    if (!model.ok()) return model.status();
    out.model = *std::move(model);
    spdlog::info("model {}: {} items, dim {}, history {}, index {}", c.model,
                 out.model->weights.items, out.model->weights.dim, out.model->weights.history,
                 out.model->index->Name());
  } else {
    spdlog::warn("no --model: every answer is the popular list, SimilarItems is NOT_FOUND");
  }
  if (!c.ranker.empty()) {
    if (out.model == nullptr) {
      return absl::InvalidArgumentError("--ranker: needs --model (it re-scores its candidates)");
    }
    absl::StatusOr<std::unique_ptr<reco::LtrRanker>> ranker = reco::LtrRanker::Load(c.ranker);
    if (!ranker.ok()) return ranker.status();
    out.ranker = *std::move(ranker);
    spdlog::info("ranker {}: {}, trained on {} candidates", c.ranker,
                 out.ranker->metadata().version, out.ranker->metadata().candidates);
  }
  if (!c.rules.empty()) {
    absl::StatusOr<Rules> rules = LoadRules(c.rules);
    if (!rules.ok()) return rules.status();
    out.rules = *std::move(rules);
  }
  if (!c.experiments.empty()) {
    absl::StatusOr<Experiment> experiment = Experiment::Load(c.experiments);
    if (!experiment.ok()) return experiment.status();
    out.experiment = *std::move(experiment);
  }
  return out;
}

// reco-api's domain on the shared adapters. Members in construction order: each borrows only
// those above it; the servers come last, so they are drained before what they answer from.
class RecoDomain final : public service::ServiceDomain {
 public:
  RecoDomain(const Config& config, const service::Adapters& adapters, Loaded loaded,
             auth::Verifier verifier)
      : consumer_config_(config.consumer),
        store_(*adapters.redis, static_cast<int32_t>(config.history_cap),
               static_cast<int32_t>(config.popular_window_days)),
        core_(store_, std::move(loaded.model), std::move(loaded.rules),
              std::move(loaded.experiment),
              {.funnel = {.candidates = static_cast<int32_t>(config.candidates)},
               .popular_window_days = static_cast<int32_t>(config.popular_window_days),
               .popular_size = 500,
               .index = IndexOf(config),
               .ranker_candidates = static_cast<int32_t>(config.ranker_candidates)},
              clock_, std::move(loaded.ranker)),
        handler_(store_, clock_),
        impressions_(*adapters.producer, config.impressions_topic),
        calls_(*adapters.metrics),
        api_(core_, impressions_, std::move(verifier), clock_, calls_),
        popular_refresh_(
            {.name = "popular-refresh",
             .interval = absl::Seconds(config.popular_refresh_s),
             .tick = [this] { RefreshPopular(); },
             .cancel = {},
             .stats = [this] { return absl::StrCat("popular=", core_.popular_size()); }}),
        model_reload_({.name = "model-reload",
                       .interval = absl::Seconds(std::max<int64_t>(config.model_reload_s, 1)),
                       .tick = [this] { ReloadModel(); },
                       .cancel = {},
                       .stats = [this] { return absl::StrCat("swaps=", core_.model_swaps()); }}),
        watch_model_(config.model_reload_s > 0 && !config.model.empty()),
        grpc_(service::ServerOptionsOf(config.grpc)) {
    grpc_.host().AddService(&api_, api_.gate());
    // The first list now, not one interval after start: a cold-start user asking in the first
    // seconds gets it.
    RefreshPopular();
    metrics::Registry& m = *adapters.metrics;
    metrics::ExposeCounter(m, "candor_reco_events_applied_total",
                           "review-events applied to the histories and popularity counts", {},
                           handler_.applied());
    metrics::ExposeCounters(
        m, "candor_reco_impressions_total", "Recommend answers' impressions by outcome", "outcome",
        {{"published", impressions_.published()}, {"lost", impressions_.lost()}});
    if (config.rest.port >= 0) {
      rest::ServerOptions options = service::RestOptionsOf(config.rest, config.grpc);
      options.openapi_json = std::string(openapi::RecoApiOpenApi());
      rest_.emplace(std::move(options), grpc_,
                    std::vector<std::string>{
                        std::string(candor::reco::v1::RecommendationService::service_full_name())},
                    m);
    }
  }

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = consumer_config_, .handler = &handler_, .stats = [this] {
               return handler_.Describe();
             }}};
  }

  std::vector<service::Component*> components() override {
    std::vector<service::Component*> out = {&popular_refresh_};
    if (watch_model_) out.push_back(&model_reload_);
    out.push_back(&grpc_);
    if (rest_.has_value()) out.push_back(&*rest_);
    return out;
  }

 private:
  void RefreshPopular() {
    if (absl::Status s = core_.RefreshPopular(); !s.ok()) {
      spdlog::warn("popular list not refreshed (the last one stays): {}", std::string(s.message()));
    }
  }
  void ReloadModel() {
    if (absl::Status s = core_.ReloadModelIfChanged(); !s.ok()) {
      spdlog::error("model not reloaded (the loaded one stays in use): {}",
                    std::string(s.message()));
    }
  }

  const service::ConsumerConfig consumer_config_;
  core::SystemClock clock_;
  RedisHistoryStore store_;
  RecoCore core_;
  HistoryConsumer handler_;
  KafkaImpressionLog impressions_;
  metrics::GrpcCallMetrics calls_;
  RecoGrpcService api_;
  service::PeriodicComponent popular_refresh_;
  service::PeriodicComponent model_reload_;
  const bool watch_model_;
  service::GrpcComponent grpc_;                 // started before the loop, drained after it
  std::optional<service::RestComponent> rest_;  // after the server it calls: stopped first
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  absl::StatusOr<Loaded> loaded = Load(config);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<auth::Verifier> verifier =
      auth::Verifier::Create(service::VerifierOptionsOf(config.grpc));
  if (!verifier.ok()) return verifier.status();
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-reco-api", .adapters = kAdapters},
      [&](const service::Adapters& adapters) {
        return std::make_unique<RecoDomain>(config, adapters, *std::move(loaded), *verifier);
      });
}

}  // namespace candor::reco_api
