#pragma once

#include "candor/reco/v1/reco_service.grpc.pb.h"
#include "libs/auth/jwt.h"
#include "libs/core/clock.h"
#include "libs/rpc/service_gate.h"
#include "services/reco-api/impression_log.h"
#include "services/reco-api/reco_core.h"

namespace candor::reco_api {

inline constexpr int32_t kDefaultCount = 10;
inline constexpr int32_t kMaxCount = 100;

// The gRPC face of reco-api (callback API): validates, checks who may ask for whom, runs the
// core and logs each Recommend answer's impressions. Thread-safe; borrows everything.
class RecoGrpcService final : public candor::reco::v1::RecommendationService::CallbackService {
 public:
  RecoGrpcService(const RecoCore& core, ImpressionLog& impressions, auth::Verifier verifier,
                  const core::Clock& clock, rpc::CallObserver& observer = rpc::NoopObserver());

  grpc::ServerUnaryReactor* Recommend(grpc::CallbackServerContext* ctx,
                                      const candor::reco::v1::RecommendRequest* request,
                                      candor::reco::v1::RecommendResponse* response) override;
  grpc::ServerUnaryReactor* SimilarItems(grpc::CallbackServerContext* ctx,
                                         const candor::reco::v1::SimilarItemsRequest* request,
                                         candor::reco::v1::SimilarItemsResponse* response) override;

  const rpc::ServiceGate& gate() const { return gate_; }

 private:
  const RecoCore& core_;
  ImpressionLog& impressions_;
  const core::Clock& clock_;
  rpc::ServiceGate gate_;
  const rpc::ServiceGate::Method& recommend_ = gate_.method("Recommend");
  const rpc::ServiceGate::Method& similar_ = gate_.method("SimilarItems");
};

// 0 -> kDefaultCount; 1..kMaxCount as is; else InvalidArgument naming the field.
absl::StatusOr<int32_t> CheckCount(int32_t count);

}  // namespace candor::reco_api
