#include "services/review-gateway/grpc_service.h"

namespace candor::gateway {

namespace v1 = candor::review::v1;
using auth::Role;

// Shoppers submit reviews; product pages (any signed-in caller: shoppers, moderators, other
// services) read summaries.
ReviewGrpcService::ReviewGrpcService(ReviewIntake& intake, SummaryReader& summaries,
                                     auth::Verifier verifier, review::DisplayPrior prior,
                                     const core::Clock& clock, rpc::CallObserver& observer)
    : intake_(intake),
      summaries_(summaries),
      prior_(prior),
      gate_(v1::ReviewService::service_full_name(),
            {{"SubmitReview", {Role::kCustomer}}, {"GetProductSummary", auth::RoleSet::All()}},
            std::move(verifier), clock, observer) {}

// The reference must cost what SubmitReview's edge costs, so it admits whom SubmitReview does.
BenchGrpcService::BenchGrpcService(auth::Verifier verifier, const core::Clock& clock,
                                   rpc::CallObserver& observer)
    : gate_(candor::bench::v1::BenchService::service_full_name(), {{"Noop", {Role::kCustomer}}},
            std::move(verifier), clock, observer) {}

grpc::ServerUnaryReactor* ReviewGrpcService::SubmitReview(grpc::CallbackServerContext* ctx,
                                                          const v1::SubmitReviewRequest* request,
                                                          v1::SubmitReviewResponse* response) {
  rpc::Call call = gate_.Begin(ctx, submit_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  review::SubmissionInput input;
  input.asin = request->asin();
  input.rating = request->rating();
  input.title = request->title();
  input.body = request->body();
  input.verified_purchase = request->verified_purchase();
  input.device_id = request->device_id();
  intake_.Submit({std::move(caller->subject), ctx->peer()}, input,
                 [call, response](absl::StatusOr<std::string> review_id) {
                   if (review_id.ok()) {
                     response->set_review_id(*review_id);
                     response->set_status(v1::REVIEW_STATUS_AWAITING_SCORING);
                   }
                   call.Finish(review_id.status());
                 });
  return call.reactor();
}

grpc::ServerUnaryReactor* ReviewGrpcService::GetProductSummary(
    grpc::CallbackServerContext* ctx, const v1::GetProductSummaryRequest* request,
    v1::ProductSummary* response) {
  rpc::Call call = gate_.Begin(ctx, summary_);
  if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
    return call.Finish(caller.status());
  }
  // Answered from SummaryReader's callback (a Redis I/O thread or a fallback thread): this
  // callback thread is released at once and never waits on Redis or Postgres.
  summaries_.Read(request->asin(),
                  [prior = prior_, call, response](absl::StatusOr<review::RatingAggregate> a) {
                    if (!a.ok()) {
                      call.Finish(a.status());
                      return;
                    }
                    response->set_asin(a->asin);
                    response->set_review_count(a->count);
                    response->set_average(a->Average());
                    response->set_display_average(a->DisplayAverage(prior));
                    response->set_verified_count(a->verified_count);
                    response->set_verified_average(a->VerifiedAverage());
                    for (int64_t n : a->stars) response->add_histogram(n);
                    response->set_version(a->version);
                    call.Finish(absl::OkStatus());
                  });
  return call.reactor();
}

grpc::ServerUnaryReactor* BenchGrpcService::Noop(grpc::CallbackServerContext* ctx,
                                                 const candor::bench::v1::NoopRequest* request,
                                                 v1::SubmitReviewResponse* response) {
  rpc::Call call = gate_.Begin(ctx, noop_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (caller.ok()) {
    response->set_review_id(request->review().asin());
    response->set_status(v1::REVIEW_STATUS_AWAITING_SCORING);
  }
  return call.Finish(caller.status());
}

}  // namespace candor::gateway
