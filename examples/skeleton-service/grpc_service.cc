#include "examples/skeleton-service/grpc_service.h"

namespace candor::skeleton {

SkeletonGrpcService::SkeletonGrpcService(const EventTally& tally, auth::Verifier verifier,
                                         const core::Clock& clock, rpc::CallObserver& observer)
    : tally_(tally),
      gate_(v1::SkeletonService::service_full_name(),
            {{"GetTally", {auth::Role::kModerator, auth::Role::kService}}}, std::move(verifier),
            clock, observer) {}

grpc::ServerUnaryReactor* SkeletonGrpcService::GetTally(grpc::CallbackServerContext* ctx,
                                                        const v1::GetTallyRequest* /*request*/,
                                                        v1::Tally* response) {
  rpc::Call call = gate_.Begin(ctx, get_tally_);
  if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
    return call.Finish(caller.status());
  }
  const TallyCounts counts = tally_.Counts();
  response->set_accepted(counts.accepted);
  response->set_removed(counts.removed);
  response->set_restored(counts.restored);
  return call.Finish(absl::OkStatus());
}

}  // namespace candor::skeleton
