#include "services/reco-api/grpc_service.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "libs/auth/role.h"
#include "libs/review/validation.h"

namespace candor::reco_api {

namespace v1 = candor::reco::v1;
using auth::Role;

namespace {

// A request id for a caller that sent none: 16 random hex digits.
std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrCat("reco-", absl::Hex(rng(), absl::kZeroPad16));
}

void Fill(const ScoredItem& item, v1::RecommendedItem* out) {
  out->set_asin(item.asin);
  out->set_score(item.score);
  out->set_stage(static_cast<v1::Stage>(static_cast<int>(item.stage)));
}

}  // namespace

absl::StatusOr<int32_t> CheckCount(int32_t count) {
  if (count == 0) return kDefaultCount;
  if (count < 1 || count > kMaxCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: must be 1..", kMaxCount, " (0 for ", kDefaultCount, "), got ", count));
  }
  return count;
}

// Shoppers ask for their own recommendations, other Candor services for anyone's; product pages
// (anyone signed in) ask for similar items.
RecoGrpcService::RecoGrpcService(const RecoCore& core, ImpressionLog& impressions,
                                 auth::Verifier verifier, const core::Clock& clock,
                                 rpc::CallObserver& observer)
    : core_(core),
      impressions_(impressions),
      clock_(clock),
      gate_(v1::RecommendationService::service_full_name(),
            {{"Recommend", {Role::kCustomer, Role::kService}},
             {"SimilarItems", auth::RoleSet::All()}},
            std::move(verifier), clock, observer) {}

grpc::ServerUnaryReactor* RecoGrpcService::Recommend(grpc::CallbackServerContext* ctx,
                                                     const v1::RecommendRequest* request,
                                                     v1::RecommendResponse* response) {
  rpc::Call call = gate_.Begin(ctx, recommend_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = review::ValidateUserId(request->user_id()); !s.ok()) {
    return call.Finish(s);
  }
  absl::StatusOr<int32_t> count = CheckCount(request->count());
  if (!count.ok()) return call.Finish(count.status());
  if (caller->subject != request->user_id() && auth::ParseRole(caller->role) != Role::kService) {
    return call.Finish(absl::PermissionDeniedError(
        "user_id: a customer may ask only for their own recommendations (role 'service' may ask "
        "for anyone)"));
  }
  absl::StatusOr<Recommendation> rec = core_.Recommend(request->user_id(), *count);
  if (!rec.ok()) return call.Finish(rec.status());
  std::string request_id = rpc::RequestId(ctx->client_metadata());
  if (request_id.empty()) request_id = NewRequestId();
  events::RecoImpression impression{.request_id = request_id,
                                    .user_id = request->user_id(),
                                    .experiment = rec->experiment,
                                    .variant = rec->variant,
                                    .items = {},
                                    .served_at = clock_.Now()};
  impression.items.reserve(rec->answer.items.size());
  for (const ScoredItem& item : rec->answer.items) {
    Fill(item, response->add_items());
    impression.items.push_back(
        {.asin = item.asin, .score = item.score, .stage = static_cast<int>(item.stage)});
  }
  response->set_experiment(rec->experiment);
  response->set_variant(rec->variant);
  response->set_request_id(request_id);
  response->set_history_length(rec->answer.history_used);
  impressions_.Publish(impression);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* RecoGrpcService::SimilarItems(grpc::CallbackServerContext* ctx,
                                                        const v1::SimilarItemsRequest* request,
                                                        v1::SimilarItemsResponse* response) {
  rpc::Call call = gate_.Begin(ctx, similar_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = review::ValidateAsin(request->asin()); !s.ok()) return call.Finish(s);
  absl::StatusOr<int32_t> count = CheckCount(request->count());
  if (!count.ok()) return call.Finish(count.status());
  absl::StatusOr<std::vector<ScoredItem>> similar = core_.Similar(request->asin(), *count);
  if (!similar.ok()) return call.Finish(similar.status());
  for (const ScoredItem& item : *similar) Fill(item, response->add_items());
  return call.Finish(absl::OkStatus());
}

}  // namespace candor::reco_api
