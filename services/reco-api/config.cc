#include "services/reco-api/config.h"

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace candor::reco_api {
namespace {
constexpr int64_t kAdminPort = 9465;  // after index-writer's 9464
constexpr int64_t kHttpPort = 8081;   // REST/JSON; the gateway has 8080
}  // namespace

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags,
      {.env_prefix = "CANDOR_RECO_",
       .adapters = kAdapters,
       .redis_addr_help = "Redis host:port holding reco:h:{user} and the popularity counts",
       .redis_timeout_help = "Redis connect/command timeout; a Recommend whose history read "
                             "times out is UNAVAILABLE",
       .admin_port = kAdminPort},
      &c->service,
      {{{.input_topic_help = "topic of ReviewEvent messages (users' histories, popularity); "
                             "poison goes to <topic>.dlq",
         .max_batch_help = "most events applied to Redis in one pipeline"},
        &c->consumer}});
  service::RegisterGrpcFlags(flags, "CANDOR_RECO_", &c->grpc);
  service::RegisterRestFlags(flags, "CANDOR_RECO_", &c->rest, kHttpPort);
  flags.AddString("model", "CANDOR_RECO_MODEL", &c->model,
                  "two-tower model file (candor-reco-train --out); empty: popular lists only");
  flags.AddString("index", "CANDOR_RECO_INDEX", &c->index,
                  "nearest-neighbour search over the item vectors: auto (exact up to "
                  "--exact-max-items items, else hnsw), hnsw (FAISS) or exact");
  flags.AddInt("exact-max-items", "CANDOR_RECO_EXACT_MAX_ITEMS", &c->exact_max_items,
               "--index auto: the largest catalogue searched exactly", 0, 100000000);
  flags.AddInt("hnsw-m", "CANDOR_RECO_HNSW_M", &c->hnsw_m, "HNSW links per node", 4, 128);
  flags.AddInt("hnsw-ef-search", "CANDOR_RECO_HNSW_EF_SEARCH", &c->hnsw_ef_search,
               "HNSW search breadth (higher: better recall, slower)", 8, 4096);
  flags.AddInt("candidates", "CANDOR_RECO_CANDIDATES", &c->candidates,
               "items retrieved per Recommend before re-ranking", 10, 10000);
  flags.AddString("ranker", "CANDOR_RECO_RANKER", &c->ranker,
                  "learning-to-rank model of candor-reco-rank-train (its .meta.json beside it): "
                  "re-scores the first --ranker-candidates retrieved items from the Redis feature "
                  "store; empty: no ranker stage");
  flags.AddInt("ranker-candidates", "CANDOR_RECO_RANKER_CANDIDATES", &c->ranker_candidates,
               "retrieved items the ranker re-scores (0: as many as it was trained on)", 0, 10000);
  flags.AddInt("model-reload-s", "CANDOR_RECO_MODEL_RELOAD_S", &c->model_reload_s,
               "seconds between checks of the model file; a changed file is loaded and swapped in "
               "without dropping requests (0: never)",
               0, 86400);
  flags.AddString("rules", "CANDOR_RECO_RULES", &c->rules,
                  "business rules JSON (block, boost, pin, fraud_campaigns, categories, "
                  "category_cap); empty: none");
  flags.AddString("experiments", "CANDOR_RECO_EXPERIMENTS", &c->experiments,
                  "A/B experiment JSON (variants with weights and pipelines); empty: everyone "
                  "gets the funnel");
  flags.AddInt("history-cap", "CANDOR_RECO_HISTORY_CAP", &c->history_cap,
               "reviews kept per user in Redis (the newest)", 1, 100000);
  flags.AddInt("popular-window-days", "CANDOR_RECO_POPULAR_WINDOW_DAYS", &c->popular_window_days,
               "days of accepted reviews the cold-start list counts", 1, 365);
  flags.AddInt("popular-refresh-s", "CANDOR_RECO_POPULAR_REFRESH_S", &c->popular_refresh_s,
               "seconds between refreshes of the in-memory popular list", 1, 3600);
  flags.AddString("impressions-topic", "CANDOR_RECO_IMPRESSIONS_TOPIC", &c->impressions_topic,
                  "topic every Recommend answer's impressions go to");
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  if (absl::Status s = service::ValidateGrpcConfig(c.grpc); !s.ok()) return s;
  if (absl::Status s = service::ValidateRestConfig(c.rest); !s.ok()) return s;
  if (c.index != "auto" && c.index != "hnsw" && c.index != "exact") {
    return absl::InvalidArgumentError(
        absl::StrCat("--index: must be auto, hnsw or exact, got '", c.index, "'"));
  }
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--model", c.model},
                                   {"--ranker", c.ranker},
                                   {"--rules", c.rules},
                                   {"--experiments", c.experiments}}) {
    if (!path.empty() && !std::filesystem::is_regular_file(path)) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": no file '", path, "'"));
    }
  }
  if (c.impressions_topic.empty()) {
    return absl::InvalidArgumentError("--impressions-topic: required");
  }
  return absl::OkStatus();
}

}  // namespace candor::reco_api
