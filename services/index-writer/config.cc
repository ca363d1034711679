#include "services/index-writer/config.h"

namespace candor::index_writer {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags, {.env_prefix = "CANDOR_INDEX_", .adapters = kAdapters, .admin_port = 9464},
      &c->service,
      {{{.input_topic_help =
             "topics it consumes, comma-separated: ReviewEvent messages, and ReviewScore "
             "messages from the one named review-scores; poison goes to <topic>.dlq",
         .max_batch_help = "most events applied (and committed to the index) in one batch"},
        &c->consumer}});
  search::RegisterBackendFlags(flags, &c->search_backend);
  flags.AddString("index-dir", "CANDOR_INDEX_DIR", &c->index_dir,
                  "the Xapian index directory (created when absent; one index-writer per "
                  "directory); with --search-backend xapian");
  flags.AddBool("rebuild", "", &c->rebuild,
                "rebuild the index from Postgres's active reviews instead of running, then exit "
                "(stop the running index-writer first)");
  service::RegisterReconcileFlags(
      flags,
      {.check_help = "compare the index with Postgres's active reviews (I5) instead of running: "
                     "print the difference, exit 0 when there is none, 1 otherwise",
       .page_help = "reviews per Postgres page for --rebuild and --check"},
      &c->reconcile);
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  if (absl::Status s = search::ValidateBackendConfig(c.search_backend); !s.ok()) return s;
  if (c.index_dir.empty()) return absl::InvalidArgumentError("--index-dir: required");
  if (c.rebuild && c.reconcile.check) {
    return absl::InvalidArgumentError("--rebuild and --check: one at a time");
  }
  return absl::OkStatus();
}

}  // namespace candor::index_writer
