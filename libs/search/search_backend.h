#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/flags.h"
#include "libs/search/search_index.h"

namespace candor::search {

// Which SearchIndex backend a process uses, chosen by configuration: the embedded Xapian index
// in a directory (the default) or an Elasticsearch / OpenSearch index over REST. index-writer
// and the gateway register the same flags, so one environment configures both.
struct BackendConfig {
  std::string backend = "xapian";  // "xapian" or "elasticsearch"
  std::string es_url;              // required with elasticsearch, e.g. http://127.0.0.1:9200
  std::string es_index = "candor-reviews";
  int64_t es_timeout_ms = 5000;
};

inline constexpr char kXapianBackend[] = "xapian";
inline constexpr char kElasticsearchBackend[] = "elasticsearch";

// --search-backend ($CANDOR_SEARCH_BACKEND), --es-url ($CANDOR_ES_URL), --es-index
// ($CANDOR_ES_INDEX), --es-timeout-ms ($CANDOR_ES_TIMEOUT_MS).
void RegisterBackendFlags(core::Flags& flags, BackendConfig* config);

// INVALID_ARGUMENT naming the flag: an unknown backend; with elasticsearch, a missing or
// malformed --es-url (an absolute http(s) URL with a host) or an invalid --es-index.
absl::Status ValidateBackendConfig(const BackendConfig& config);

// The index a writer (index-writer) keeps: Xapian in `xapian_dir` (XapianSearchIndex::Open
// kWrite), or the Elasticsearch index, created with Candor's mapping when absent
// (ElasticsearchIndex::Open kWrite). Their errors as those Opens answer them.
absl::StatusOr<std::unique_ptr<SearchIndex>> OpenIndexForWriting(const BackendConfig& config,
                                                                 const std::string& xapian_dir);

// The index a server searches with up to `threads` concurrent searches: a XapianReaderPool on
// `xapian_dir`, or the Elasticsearch index with as many kept-alive connections. Read-only.
absl::StatusOr<std::unique_ptr<SearchIndex>> OpenIndexForSearching(const BackendConfig& config,
                                                                   const std::string& xapian_dir,
                                                                   int threads);

// "xapian index <dir>" or "elasticsearch index <name> at <url>", for log lines and reports.
std::string DescribeBackend(const BackendConfig& config, const std::string& xapian_dir);

}  // namespace candor::search
