// candor-skeleton-service: the example of docs/adding-a-service.md; counts review-events and
// serves the tally over gRPC.
#include "examples/skeleton-service/app.h"
#include "examples/skeleton-service/config.h"
#include "libs/service/service_main.h"

int main(int argc, char** argv) {
  namespace skeleton = candor::skeleton;
  return candor::service::ServiceMain<skeleton::Config>(
      argc, argv,
      {.name = "skeleton-service",
       .summary = "The example service of docs/adding-a-service.md: consumes review-events, counts "
                  "them by kind and serves the tally over gRPC (candor.skeleton.v1."
                  "SkeletonService/GetTally, for moderators and services) with grpc.health.v1.\n"
                  "The HS256 secret comes from $CANDOR_JWT_SECRET only.",
       .register_flags = skeleton::RegisterFlags,
       .validate = skeleton::ValidateConfig,
       .create_app = skeleton::CreateApp});
}
