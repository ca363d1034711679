#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/consumer_app.h"
#include "services/fraud-scorer/config.h"

namespace candor::fraud_scorer {

// The composition root of candor-fraud-scorer (style.md, Wiring): the only place that builds the
// fraud-scoring domain (behaviour window on Redis, rule scorer, review repository on Postgres,
// Accepted publisher on Kafka) and hands it the adapters service::ConsumerApp connects. Used by
// main and by the service's integration test alike.
//
// Validates `config`, connects to Redis, Postgres and Kafka and fails fast (Unavailable,
// InvalidArgument) when one is unreachable or the config is bad. Subscribes, but consumes
// nothing until Run.
absl::StatusOr<std::unique_ptr<service::ConsumerApp>> CreateApp(const Config& config);

}  // namespace candor::fraud_scorer
