#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/service_app.h"
#include "services/helpfulness-ranker/config.h"

namespace candor::helpfulness_ranker {

// The composition root of candor-helpfulness-ranker (style.md, Wiring): the only place that
// builds the ranking domain (Postgres vote ledger, Redis ranking cache, Kafka score publisher,
// Ranker) on the adapters service::ServiceApp connects (kAdapters), with one consume loop on
// helpful-votes and review-events. Used by main and by the service's integration tests alike.
//
// Validates `config`, connects to Redis, Postgres and Kafka and fails fast (Unavailable,
// InvalidArgument) when one is unreachable or the config is bad. Consumes nothing until Run.
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

// --check or --repair (README.md, "Check and repair"): connects Postgres and Redis (and, for
// --repair, Kafka for review-scores) on its own, with no admin port, so it can run beside the
// service; runs RankingCheck (ranking_check.h) and returns the exit code: 0 no drift (after the
// repair), 1 drift found or a store failed; -1 when neither was asked for. Prints the drift on
// stdout, failures on stderr.
int RunCommand(const Config& config);

}  // namespace candor::helpfulness_ranker
