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
#include "libs/rpc/call_observer.h"
#include "libs/rpc/service_gate.h"
#include "services/review-gateway/client_address.h"
#include "services/review-gateway/review_intake.h"
#include "services/review-gateway/review_lister.h"
#include "services/review-gateway/review_searcher.h"
#include "services/review-gateway/review_status_reader.h"
#include "services/review-gateway/summary_reader.h"
#include "services/review-gateway/vote_intake.h"

namespace candor::gateway {

// The gRPC face of the gateway (callback API). It only translates proto <-> domain (and the
// transport's peer and x-forwarded-for into the client's address, with `addresses`); the work is
// in ReviewIntake, SummaryReader, ReviewStatusReader, VoteIntake, ReviewLister and
// ReviewSearcher, and its rpc::ServiceGate authenticates each call, checks the caller's role
// (SubmitReview, GetReviewStatus and VoteHelpful: customer; ImportReview: service;
// GetProductSummary, ListReviews and SearchReviews: every role), maps statuses with
// rpc::ToGrpc and reports each call
// to `observer`. Thread-safe. Borrows everything it is given.
// ListReviews is registered raw (bytes in and out): a page from ListPageCache is sent as the
// bytes serialised once for it, by reference, where a typed handler would copy every review into
// a new response and serialise it again on each call.
class ReviewGrpcService final
    : public candor::review::v1::ReviewService::WithRawCallbackMethod_ListReviews<
          candor::review::v1::ReviewService::CallbackService> {
 public:
  ReviewGrpcService(ReviewIntake& intake, SummaryReader& summaries, ReviewStatusReader& statuses,
                    VoteIntake& votes, ReviewLister& lister, ReviewSearcher& searcher,
                    const ClientAddressResolver& addresses, auth::Verifier verifier,
                    review::DisplayPrior prior, const core::Clock& clock,
                    rpc::CallObserver& observer = rpc::NoopObserver());

  grpc::ServerUnaryReactor* SubmitReview(
      grpc::CallbackServerContext* ctx, const candor::review::v1::SubmitReviewRequest* request,
      candor::review::v1::SubmitReviewResponse* response) override;

  grpc::ServerUnaryReactor* GetProductSummary(
      grpc::CallbackServerContext* ctx, const candor::review::v1::GetProductSummaryRequest* request,
      candor::review::v1::ProductSummary* response) override;

  grpc::ServerUnaryReactor* ImportReview(
      grpc::CallbackServerContext* ctx, const candor::review::v1::ImportReviewRequest* request,
      candor::review::v1::ImportReviewResponse* response) override;

  grpc::ServerUnaryReactor* GetReviewStatus(
      grpc::CallbackServerContext* ctx, const candor::review::v1::GetReviewStatusRequest* request,
      candor::review::v1::ReviewStatusReport* response) override;

  grpc::ServerUnaryReactor* VoteHelpful(grpc::CallbackServerContext* ctx,
                                        const candor::review::v1::VoteHelpfulRequest* request,
                                        candor::review::v1::VoteHelpfulResponse* response) override;

  // A ListReviewsRequest in, a ListReviewsResponse out, as bytes (see the class comment);
  // INVALID_ARGUMENT when the request does not parse.
  grpc::ServerUnaryReactor* ListReviews(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* SearchReviews(
      grpc::CallbackServerContext* ctx, const candor::review::v1::SearchReviewsRequest* request,
      candor::review::v1::SearchReviewsResponse* response) override;

  // Who may call each method; rpc::ServiceHost checks it covers the service.
  const rpc::ServiceGate& gate() const { return gate_; }

 private:
  ReviewIntake& intake_;
  SummaryReader& summaries_;
  ReviewStatusReader& statuses_;
  VoteIntake& votes_;
  ReviewLister& lister_;
  ReviewSearcher& searcher_;
  const ClientAddressResolver& addresses_;
  review::DisplayPrior prior_;
  rpc::ServiceGate gate_;
  const rpc::ServiceGate::Method& submit_ = gate_.method("SubmitReview");
  const rpc::ServiceGate::Method& summary_ = gate_.method("GetProductSummary");
  const rpc::ServiceGate::Method& import_ = gate_.method("ImportReview");
  const rpc::ServiceGate::Method& status_ = gate_.method("GetReviewStatus");
  const rpc::ServiceGate::Method& vote_ = gate_.method("VoteHelpful");
  const rpc::ServiceGate::Method& list_ = gate_.method("ListReviews");
  const rpc::ServiceGate::Method& search_ = gate_.method("SearchReviews");
};

// The benchmark reference (--bench-noop): same server, threads, authentication and role check
// as SubmitReview (customer), and nothing else. Thread-safe.
class BenchGrpcService final : public candor::bench::v1::BenchService::CallbackService {
 public:
  BenchGrpcService(auth::Verifier verifier, const core::Clock& clock,
                   rpc::CallObserver& observer = rpc::NoopObserver());

  grpc::ServerUnaryReactor* Noop(grpc::CallbackServerContext* ctx,
                                 const candor::bench::v1::NoopRequest* request,
                                 candor::review::v1::SubmitReviewResponse* response) override;

  const rpc::ServiceGate& gate() const { return gate_; }

 private:
  rpc::ServiceGate gate_;
  const rpc::ServiceGate::Method& noop_ = gate_.method("Noop");
};

}  // namespace candor::gateway
