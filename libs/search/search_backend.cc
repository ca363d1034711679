#include "libs/search/search_backend.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/search/es_index.h"
#include "libs/search/es_requests.h"
#include "libs/search/http_client.h"
#include "libs/search/xapian_index.h"
#include "libs/search/xapian_reader_pool.h"

namespace candor::search {
namespace {

ElasticsearchIndex::Options EsOptions(const BackendConfig& c, ElasticsearchIndex::Mode mode,
                                      int connections) {
  return {.url = c.es_url,
          .index = c.es_index,
          .mode = mode,
          .connections = connections,
          .timeout = absl::Milliseconds(c.es_timeout_ms)};
}

}  // namespace

void RegisterBackendFlags(core::Flags& flags, BackendConfig* c) {
  flags.AddString("search-backend", "CANDOR_SEARCH_BACKEND", &c->backend,
                  "where the review search index lives: xapian (embedded, in --index-dir) or "
                  "elasticsearch (an Elasticsearch / OpenSearch cluster at --es-url)");
  flags.AddString("es-url", "CANDOR_ES_URL", &c->es_url,
                  "Elasticsearch / OpenSearch base URL, http(s)://[user:password@]host:port "
                  "(required with --search-backend elasticsearch)");
  flags.AddString("es-index", "CANDOR_ES_INDEX", &c->es_index,
                  "the Elasticsearch index (or alias) of the reviews; index-writer creates it with "
                  "Candor's mapping when absent");
  flags.AddInt("es-timeout-ms", "CANDOR_ES_TIMEOUT_MS", &c->es_timeout_ms,
               "budget of one Elasticsearch request (a search, a bulk write)", 100, 600000);
}

absl::Status ValidateBackendConfig(const BackendConfig& c) {
  if (c.backend == kXapianBackend) return absl::OkStatus();
  if (c.backend != kElasticsearchBackend) {
    return absl::InvalidArgumentError(absl::StrCat("--search-backend: unknown backend '", c.backend,
                                                   "' (xapian or elasticsearch)"));
  }
  if (c.es_url.empty()) {
    return absl::InvalidArgumentError(
        "--es-url: required with --search-backend elasticsearch (e.g. http://127.0.0.1:9200)");
  }
  if (absl::Status s = HttpClient::ValidateBaseUrl(c.es_url); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--es-url: ", s.message()));
  }
  if (absl::Status s = es::ValidateIndexName(c.es_index); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--es-index: ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SearchIndex>> OpenIndexForWriting(const BackendConfig& c,
                                                                 const std::string& xapian_dir) {
  if (absl::Status s = ValidateBackendConfig(c); !s.ok()) return s;
  if (c.backend == kElasticsearchBackend) {
    auto index = ElasticsearchIndex::Open(EsOptions(c, ElasticsearchIndex::Mode::kWrite, 2));
    if (!index.ok()) return index.status();
    return std::unique_ptr<SearchIndex>(*std::move(index));
  }
  auto index = XapianSearchIndex::Open(xapian_dir, XapianSearchIndex::Mode::kWrite);
  if (!index.ok()) return index.status();
  return std::unique_ptr<SearchIndex>(*std::move(index));
}

absl::StatusOr<std::unique_ptr<SearchIndex>> OpenIndexForSearching(const BackendConfig& c,
                                                                   const std::string& xapian_dir,
                                                                   int threads) {
  if (absl::Status s = ValidateBackendConfig(c); !s.ok()) return s;
  if (c.backend == kElasticsearchBackend) {
    auto index = ElasticsearchIndex::Open(EsOptions(c, ElasticsearchIndex::Mode::kRead, threads));
    if (!index.ok()) return index.status();
    return std::unique_ptr<SearchIndex>(*std::move(index));
  }
  auto pool = XapianReaderPool::Open(xapian_dir, threads);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<SearchIndex>(*std::move(pool));
}

std::string DescribeBackend(const BackendConfig& c, const std::string& xapian_dir) {
  if (c.backend == kElasticsearchBackend) {
    auto http = HttpClient::Create({.base_url = c.es_url});
    return absl::StrCat("elasticsearch index ", c.es_index, " at ",
                        http.ok() ? (*http)->display_url() : "(bad URL)");
  }
  return absl::StrCat("xapian index ", xapian_dir);
}

}  // namespace candor::search
