#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "examples/skeleton-service/config.h"
#include "libs/service/service_app.h"

namespace candor::skeleton {

// The composition root of candor-skeleton-service (style.md, Wiring): builds the tally, its
// consume loop on review-events and the gRPC server (a service::GrpcComponent) on what
// service::ServiceApp connects (kAdapters: Kafka only). Used by main and by the service's
// integration test alike; a test finds the server's port with
// `app->FindComponent<service::GrpcComponent>()->port()` once it runs.
//
// Validates `config` (InvalidArgument), checks that a Kafka broker answers (Unavailable) and
// subscribes; consumes nothing and does not listen until Run.
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

}  // namespace candor::skeleton
