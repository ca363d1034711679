#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/service_app.h"
#include "services/fraud-scorer/config.h"

namespace candor::fraud_scorer {

// The composition root of candor-fraud-scorer (style.md, Wiring): the only place that builds the
// fraud-scoring domain (behaviour window on Redis, rule scorer, review repository on Postgres,
// Accepted publisher on Kafka) on the adapters service::ServiceApp connects (kAdapters), with one
// consume loop on review-submissions. Used by main and by the service's integration tests alike.
//
// Validates `config`, connects to Redis, Postgres and Kafka and fails fast (Unavailable,
// InvalidArgument) when one is unreachable or the config is bad. Subscribes, but consumes
// nothing until Run.
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

}  // namespace candor::fraud_scorer
