#pragma once

#include "candor/skeleton/v1/skeleton_service.grpc.pb.h"
#include "examples/skeleton-service/tally.h"
#include "libs/auth/jwt.h"
#include "libs/core/clock.h"
#include "libs/rpc/service_gate.h"

namespace candor::skeleton {

// The gRPC face of the skeleton (callback API): GetTally, for moderators and services. It only
// translates the tally into the proto; its rpc::ServiceGate authenticates each call, checks the
// role and maps statuses. Thread-safe; borrows `tally` and `clock`.
class SkeletonGrpcService final : public candor::skeleton::v1::SkeletonService::CallbackService {
 public:
  // Every call is reported to `observer` (metrics::GrpcCallMetrics in app.cc).
  SkeletonGrpcService(const EventTally& tally, auth::Verifier verifier, const core::Clock& clock,
                      rpc::CallObserver& observer = rpc::NoopObserver());

  grpc::ServerUnaryReactor* GetTally(grpc::CallbackServerContext* ctx,
                                     const candor::skeleton::v1::GetTallyRequest* request,
                                     candor::skeleton::v1::Tally* response) override;

  // Who may call each method; rpc::ServiceHost checks it covers the service.
  const rpc::ServiceGate& gate() const { return gate_; }

 private:
  const EventTally& tally_;
  rpc::ServiceGate gate_;
  const rpc::ServiceGate::Method& get_tally_ = gate_.method("GetTally");
};

}  // namespace candor::skeleton
