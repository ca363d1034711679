#include "examples/skeleton-service/app.h"

#include <memory>
#include <vector>

#include "examples/skeleton-service/grpc_service.h"
#include "examples/skeleton-service/review_event_consumer.h"
#include "examples/skeleton-service/tally.h"
#include "libs/core/clock.h"
#include "libs/metrics/grpc_call_metrics.h"
#include "libs/service/grpc_component.h"

namespace candor::skeleton {
namespace {

// The skeleton's domain on the shared adapters. Members are declared in construction order: each
// borrows only those above it. The server comes last, so it is destroyed (drained) before the
// service and the tally it answers from.
class Skeleton final : public service::ServiceDomain {
 public:
  Skeleton(const Config& config, const service::Adapters& adapters, auth::Verifier verifier)
      : consumer_config_(config.consumer),
        handler_(tally_),
        calls_(*adapters.metrics),
        api_(tally_, std::move(verifier), clock_, calls_),
        grpc_(service::ServerOptionsOf(config.grpc)) {
    grpc_.host().AddService(&api_, api_.gate());
  }

  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = consumer_config_, .handler = &handler_, .stats = [this] {
               return tally_.Describe();
             }}};
  }

  std::vector<service::Component*> components() override { return {&grpc_}; }

 private:
  const service::ConsumerConfig consumer_config_;
  core::SystemClock clock_;
  EventTally tally_;
  ReviewEventConsumer handler_;
  metrics::GrpcCallMetrics calls_;  // candor_grpc_server_handled_total{method="GetTally",...}
  SkeletonGrpcService api_;
  service::GrpcComponent grpc_;  // started before the loop, stopped (drained) after it
};

}  // namespace

absl::StatusOr<std::unique_ptr<service::ServiceApp>> CreateApp(const Config& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  // Before ServiceApp::Create: the domain factory cannot fail, the verifier can.
  absl::StatusOr<auth::Verifier> verifier =
      auth::Verifier::Create(service::VerifierOptionsOf(config.grpc));
  if (!verifier.ok()) return verifier.status();
  return service::ServiceApp::Create(
      config.service, {.client_id = "candor-skeleton-service", .adapters = kAdapters},
      [&](const service::Adapters& adapters) {
        return std::make_unique<Skeleton>(config, adapters, *verifier);
      });
}

}  // namespace candor::skeleton
