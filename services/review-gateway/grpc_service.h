#pragma once

#include <string>

// clang-format off
// First: it specialises how the generated service parses its requests (see the header).
#include "services/review-gateway/request_parsing.h"
// clang-format on
#include "candor/bench/v1/bench_service.grpc.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "libs/auth/jwt.h"
#include "libs/core/clock.h"
#include "libs/review/rating_aggregate.h"
#include "libs/rpc/status.h"
#include "services/review-gateway/review_intake.h"
#include "services/review-gateway/summary_reader.h"

namespace candor::gateway {

// The gRPC face of the gateway (callback API). It only authenticates, translates proto <->
// domain and absl::Status <-> grpc::Status; the work is in ReviewIntake and SummaryReader.
// Thread-safe. Borrows everything it is given.
class ReviewGrpcService final : public candor::review::v1::ReviewService::CallbackService {
 public:
  ReviewGrpcService(ReviewIntake& intake, SummaryReader& summaries, auth::Verifier verifier,
                    review::DisplayPrior prior, const core::Clock& clock)
      : intake_(intake),
        summaries_(summaries),
        verifier_(std::move(verifier)),
        prior_(prior),
        clock_(clock) {}

  grpc::ServerUnaryReactor* SubmitReview(
      grpc::CallbackServerContext* ctx, const candor::review::v1::SubmitReviewRequest* request,
      candor::review::v1::SubmitReviewResponse* response) override;

  grpc::ServerUnaryReactor* GetProductSummary(
      grpc::CallbackServerContext* ctx, const candor::review::v1::GetProductSummaryRequest* request,
      candor::review::v1::ProductSummary* response) override;

 private:
  ReviewIntake& intake_;
  SummaryReader& summaries_;
  auth::Verifier verifier_;
  review::DisplayPrior prior_;
  const core::Clock& clock_;
};

// The benchmark reference (--bench-noop): same server, threads and authentication as
// ReviewGrpcService, and nothing else. Thread-safe.
class BenchGrpcService final : public candor::bench::v1::BenchService::CallbackService {
 public:
  BenchGrpcService(auth::Verifier verifier, const core::Clock& clock)
      : verifier_(std::move(verifier)), clock_(clock) {}

  grpc::ServerUnaryReactor* Noop(grpc::CallbackServerContext* ctx,
                                 const candor::bench::v1::NoopRequest* request,
                                 candor::review::v1::SubmitReviewResponse* response) override;

 private:
  auth::Verifier verifier_;
  const core::Clock& clock_;
};

// absl::Status -> grpc::Status: client-safe messages, error ids, RetryInfo (libs/rpc).
using rpc::ToGrpc;

// Verifies the call's `authorization: Bearer <jwt>` metadata with `verifier` (exactly one such
// header; see auth::Authenticate) and, when `required_role` is not empty, that the token's
// `role` claim is that role. Returns the user id (`sub`), Unauthenticated naming the problem,
// or PermissionDenied naming the required role. Thread-safe.
absl::StatusOr<std::string> AuthenticateCall(grpc::CallbackServerContext* ctx,
                                             const auth::Verifier& verifier,
                                             const core::Clock& clock,
                                             std::string_view required_role = {});

}  // namespace candor::gateway
