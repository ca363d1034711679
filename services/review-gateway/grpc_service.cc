#include "services/review-gateway/grpc_service.h"

#include "absl/container/inlined_vector.h"
#include "libs/auth/jwt.h"

namespace candor::gateway {

namespace v1 = candor::review::v1;

absl::StatusOr<std::string> AuthenticateCall(grpc::CallbackServerContext* ctx,
                                             const auth::Verifier& verifier,
                                             const core::Clock& clock,
                                             std::string_view required_role) {
  // client_metadata() is a multimap: every `authorization` value is handed on, so a second one
  // is refused as ambiguous instead of one of them being picked silently.
  auto [first, last] = ctx->client_metadata().equal_range("authorization");
  absl::InlinedVector<std::string_view, 1> values;
  for (auto it = first; it != last; ++it) values.emplace_back(it->second.data(), it->second.size());
  absl::StatusOr<auth::Claims> claims =
      auth::Authenticate(values, verifier, clock.Now(), required_role);
  if (!claims.ok()) return claims.status();
  return std::move(claims->subject);
}

grpc::ServerUnaryReactor* ReviewGrpcService::SubmitReview(grpc::CallbackServerContext* ctx,
                                                          const v1::SubmitReviewRequest* request,
                                                          v1::SubmitReviewResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<std::string> user = AuthenticateCall(ctx, verifier_, clock_);
  if (!user.ok()) {
    reactor->Finish(ToGrpc(user.status()));
    return reactor;
  }
  review::SubmissionInput input;
  input.asin = request->asin();
  input.rating = request->rating();
  input.title = request->title();
  input.body = request->body();
  input.verified_purchase = request->verified_purchase();
  input.device_id = request->device_id();
  intake_.Submit({*user, ctx->peer()}, input,
                 [reactor, response](absl::StatusOr<std::string> review_id) {
                   if (review_id.ok()) {
                     response->set_review_id(*review_id);
                     response->set_status(v1::REVIEW_STATUS_AWAITING_SCORING);
                   }
                   reactor->Finish(ToGrpc(review_id.status()));
                 });
  return reactor;
}

grpc::ServerUnaryReactor* ReviewGrpcService::GetProductSummary(
    grpc::CallbackServerContext* ctx, const v1::GetProductSummaryRequest* request,
    v1::ProductSummary* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (absl::StatusOr<std::string> user = AuthenticateCall(ctx, verifier_, clock_); !user.ok()) {
    reactor->Finish(ToGrpc(user.status()));
    return reactor;
  }
  // Answered from SummaryReader's callback (a Redis I/O thread or a fallback thread): this
  // callback thread is released at once and never waits on Redis or Postgres.
  summaries_.Read(request->asin(),
                  [prior = prior_, reactor, response](absl::StatusOr<review::RatingAggregate> a) {
                    if (!a.ok()) {
                      reactor->Finish(ToGrpc(a.status()));
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
                    reactor->Finish(grpc::Status::OK);
                  });
  return reactor;
}

grpc::ServerUnaryReactor* BenchGrpcService::Noop(grpc::CallbackServerContext* ctx,
                                                 const candor::bench::v1::NoopRequest* request,
                                                 v1::SubmitReviewResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<std::string> user = AuthenticateCall(ctx, verifier_, clock_);
  if (user.ok()) {
    response->set_review_id(request->review().asin());
    response->set_status(v1::REVIEW_STATUS_AWAITING_SCORING);
  }
  reactor->Finish(ToGrpc(user.status()));
  return reactor;
}

}  // namespace candor::gateway
