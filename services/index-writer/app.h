#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/service_app.h"
#include "services/index-writer/config.h"

namespace candor::index_writer {

// The composition root of candor-index-writer (style.md, Wiring): opens the Xapian index for
// writing, builds the Indexer on Postgres (libs/reviewdb) and its consume loop on review-events.
// Used by main and by the integration test alike.
//
// Validates `config` (InvalidArgument); refuses a corrupt index (DataLoss naming the rebuild) or
// one another process writes (FailedPrecondition); checks that Postgres and a Kafka broker answer
// (Unavailable).
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

// --rebuild or --check (README.md): runs the command and returns the exit code (0 done / clean,
// 1 failed / differences found), or -1 when neither was asked for. Prints progress and the
// result on stderr / stdout.
int RunCommand(const Config& config);

}  // namespace candor::index_writer
