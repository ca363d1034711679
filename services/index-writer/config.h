#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/search/search_backend.h"
#include "libs/service/reconcile_config.h"
#include "libs/service/service_config.h"

namespace candor::index_writer {

// What it connects: Postgres (the reviews' content and status) and Kafka. No Redis, no producer
// of its own (dead letters have one).
inline constexpr service::AdapterSet kAdapters = {.postgres = true};

// Every setting of candor-index-writer; README.md documents each one. Defaults suit the local
// stack of tools/stack/stack.sh.
struct Config {
  service::ServiceConfig service{};
  service::ConsumerConfig consumer = {
      .group = "index-writer",
      // Both in one loop: one thread applies them, one index commit per batch.
      .input_topic = absl::StrCat(events::kReviewEventsTopic, ",", events::kReviewScoresTopic),
  };
  // Where the index lives: Xapian in index_dir (the default) or Elasticsearch (--search-backend).
  search::BackendConfig search_backend;
  std::string index_dir = ".stack/search-index";
  // One-shot commands instead of the service (README.md, "Rebuild and check"): --rebuild, and
  // the reconciliation's --check (reviews per Postgres page in either: reconcile.page).
  bool rebuild = false;
  service::ReconcileConfig reconcile = {.page = 1000};
};

void RegisterFlags(core::Flags& flags, Config* config);

// The shared checks, a known search backend (with elasticsearch, a well-formed --es-url and
// --es-index), a non-empty index directory, and at most one of --rebuild / --check.
// InvalidArgument naming the flag.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::index_writer
