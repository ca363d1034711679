#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/service_app.h"
#include "services/rating-aggregator/config.h"

namespace candor::rating_aggregator {

// The composition root of candor-rating-aggregator (style.md, Wiring): the only place that
// builds the aggregation domain (Postgres ledger, Redis rating cache, Aggregator) on the adapters
// service::ServiceApp connects (kAdapters), with one consume loop on review-events and the heal
// check as a component beside it. Used by main and by the service's integration tests alike.
//
// Validates `config`, connects to Redis, Postgres and Kafka and fails fast (Unavailable,
// InvalidArgument) when one is unreachable or the config is bad. Subscribes, but consumes
// nothing until Run.
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

// --check or --repair, the reconciliation run instead of the service (rating_reconciler.h), on
// connections of its own: prints the drift on stdout and progress on stderr. Returns the exit
// code (0: no drift left; 1: drift left, or a store failed), or -1 when neither is set (run the
// service).
int RunCommand(const Config& config);

}  // namespace candor::rating_aggregator
