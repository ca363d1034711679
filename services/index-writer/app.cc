#include "services/index-writer/app.h"

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/core/log.h"
#include "libs/kafka/batch_loop.h"
#include "libs/metrics/metrics.h"
#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "libs/search/search_backend.h"
#include "libs/search/xapian_index.h"
#include "services/index-writer/index_consumer.h"
#include "services/index-writer/index_maintenance.h"
#include "services/index-writer/indexer.h"
#include "services/index-writer/pg_review_source.h"

namespace candor::index_writer {
namespace {

// index-writer's domain on the shared adapters. Members are declared in construction order:
// each borrows only those above it.
class IndexWriter final : public service::ServiceDomain {
 public:
  IndexWriter(const Config& config, pg::Pool& pg, std::unique_ptr<search::SearchIndex> index)
      : consumer_config_(config.consumer),
        db_(pg),
        source_(db_, helpfulness::ScoreParams{}),
        index_(std::move(index)),
        indexer_(source_, *index_),
        handler_(indexer_) {}

  // The indexer's counters, read at each scrape (ServiceApp stops its admin server before this
  // domain is destroyed).
  void ExposeMetrics(metrics::Registry& registry) {
    const IndexerStats& s = indexer_.stats();
    metrics::ExposeCounter(registry, "candor_index_batches_total",
                           "Batches committed to the search index", {}, s.batches);
    const char* documents =
        "Search documents written (an active review added or replaced) or removed (a review no "
        "longer active, or not stored)";
    metrics::ExposeCounters(registry, "candor_index_documents_total", documents, "change",
                            {{"written", s.upserted}, {"removed", s.removed}});
    const char* scores =
        "Helpfulness scores from review-scores: applied to an indexed document; early (the review "
        "is not indexed yet, its upsert reads the score); unranked (its own events delete it)";
    metrics::ExposeCounters(registry, "candor_index_scores_total", scores, "outcome",
                            {{"applied", s.scores_applied},
                             {"early", s.scores_early},
                             {"unranked", s.scores_unranked}});
  }

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = consumer_config_, .handler = &handler_, .stats = [this] {
               const IndexerStats& s = indexer_.stats();
               return absl::StrFormat(
                   "%d batches committed, %d documents written, %d removed, scores: %d applied, "
                   "%d before their review (read from Postgres at its upsert), %d unranked",
                   s.batches.load(), s.upserted.load(), s.removed.load(), s.scores_applied.load(),
                   s.scores_early.load(), s.scores_unranked.load());
             }}};
  }

 private:
  const service::ConsumerConfig consumer_config_;
  reviewdb::ReviewDb db_;
  PgReviewSource source_;
  std::unique_ptr<search::SearchIndex> index_;
  Indexer indexer_;
  IndexConsumer handler_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<search::SearchIndex>> index =
      search::OpenIndexForWriting(config.search_backend, config.index_dir);
  if (!index.ok()) return index.status();
  std::unique_ptr<search::SearchIndex> owned = *std::move(index);
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-index-writer", .adapters = kAdapters},
      [&](const service::Adapters& adapters) {
        auto domain = std::make_unique<IndexWriter>(config, *adapters.pg, std::move(owned));
        domain->ExposeMetrics(*adapters.metrics);
        return domain;
      });
}

int RunCommand(const Config& config) {
  if (!config.rebuild && !config.reconcile.requested()) return -1;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(config.service.pg_dsn, 1);
  if (!pool.ok()) {
    std::cerr << "candor-index-writer: " << pool.status().message() << "\n";
    return 1;
  }
  reviewdb::ReviewDb db(**pool);
  PgReviewSource source(db, helpfulness::ScoreParams{});
  const int page = static_cast<int>(config.reconcile.page);
  const bool es = config.search_backend.backend == search::kElasticsearchBackend;
  const std::string where = search::DescribeBackend(config.search_backend, config.index_dir);
  auto report = [](int64_t done) {
    std::cerr << "candor-index-writer: " << done << " reviews indexed\n";
  };
  if (config.rebuild && es) {
    // No directory to swap: every active review is written over the live index, then what is
    // no longer active is deleted (index_maintenance.h).
    std::cerr << "candor-index-writer: rebuilding " << where << " in place from Postgres\n";
    absl::StatusOr<std::unique_ptr<search::SearchIndex>> index =
        search::OpenIndexForWriting(config.search_backend, config.index_dir);
    absl::StatusOr<RebuildStats> stats =
        index.ok() ? RebuildInPlace(source, **index, page, report) : index.status();
    if (!stats.ok()) {
      std::cerr << "candor-index-writer: rebuild failed: " << stats.status().message() << "\n";
      return 1;
    }
    std::cout << absl::StrFormat(
        "rebuilt %s: %d reviews written, %d stale documents deleted in "
        "%.1f s\n",
        where, stats->documents, stats->removed, absl::ToDoubleSeconds(stats->took));
    return 0;
  }
  if (config.rebuild) {
    std::cerr << "candor-index-writer: rebuilding " << config.index_dir
              << " from Postgres's active reviews\n";
    absl::StatusOr<RebuildStats> stats = RebuildXapianIndex(source, config.index_dir, page, report);
    if (!stats.ok()) {
      std::cerr << "candor-index-writer: rebuild failed: " << stats.status().message() << "\n";
      return 1;
    }
    std::cout << absl::StrFormat("rebuilt %s: %d reviews in %.1f s\n", config.index_dir,
                                 stats->documents, absl::ToDoubleSeconds(stats->took));
    return 0;
  }
  absl::StatusOr<std::unique_ptr<search::SearchIndex>> index =
      es ? search::OpenIndexForSearching(config.search_backend, config.index_dir, 1)
         : absl::StatusOr<std::unique_ptr<search::SearchIndex>>(search::XapianSearchIndex::Open(
               config.index_dir, search::XapianSearchIndex::Mode::kRead));
  if (!index.ok()) {
    std::cerr << "candor-index-writer: " << index.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<IndexCheck> check = CheckIndex(source, **index, page);
  if (check.ok() && !check->clean() && config.reconcile.settle_ms > 0) {
    // A difference may be an event index-writer is applying right now: only one that is still
    // there a moment later counts.
    std::cerr << "candor-index-writer: " << check->missing << " missing, " << check->extra
              << " extra; comparing again in " << config.reconcile.settle_ms << " ms\n";
    absl::SleepFor(absl::Milliseconds(config.reconcile.settle_ms));
    check = CheckIndex(source, **index, page);
  }
  if (!check.ok()) {
    std::cerr << "candor-index-writer: check failed: " << check.status().message() << "\n";
    return 1;
  }
  std::cout << absl::StrFormat(
      "%s against Postgres: %d active reviews, %d documents; missing %d, extra %d%s\n", where,
      check->active, check->indexed, check->missing, check->extra,
      check->clean() ? " (I5 holds)" : "");
  for (const std::string& e : check->examples) std::cout << "  " << e << "\n";
  return check->clean() ? 0 : 1;
}

}  // namespace candor::index_writer
