#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/service/service_app.h"
#include "services/reco-api/config.h"

namespace candor::reco_api {

// The composition root of candor-reco-api (style.md, Wiring): loads the model, the rules and the
// experiment, then builds on what service::ServiceApp connects (Redis, a producer) the history
// store, its consume loop on review-events, the popular-list refresh and the model reload
// (periodic components), the gRPC server and its REST front. Used by main and by the tests; a
// test finds the server's port with `app->FindComponent<service::GrpcComponent>()->port()`.
//
// Errors: InvalidArgument for a bad config, rules or experiment file, the model loader's error
// for a bad model, Unavailable when Redis or Kafka does not answer.
absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config);

}  // namespace candor::reco_api
