#include "services/review-gateway/grpc_service.h"

#include "libs/events/helpful_votes.h"
#include "libs/events/review_status_proto.h"
#include "libs/events/timestamp.h"
#include "libs/rest/peer.h"

namespace candor::gateway {

namespace v1 = candor::review::v1;
using auth::Role;

namespace {

// The client's address: the peer, or behind a trusted proxy what x-forwarded-for says. A REST
// request's peer is its TCP peer, which the REST front hands over (rest::TransportPeer), and its
// X-Forwarded-For arrives as x-forwarded-for: the same rules hold over both.
std::string ClientAddress(const grpc::CallbackServerContext& ctx,
                          const ClientAddressResolver& addresses) {
  std::vector<std::string_view> forwarded;
  if (addresses.trusts_any()) {
    auto [begin, end] = ctx.client_metadata().equal_range("x-forwarded-for");
    for (auto it = begin; it != end; ++it) {
      forwarded.emplace_back(it->second.data(), it->second.size());
    }
  }
  return addresses.Resolve(rest::TransportPeer(ctx), forwarded);
}

// The shopper's fields of a SubmitReviewRequest or an ImportReviewRequest.
template <typename Request>
review::SubmissionInput ShopperFields(const Request& r) {
  return review::SubmissionInput{
      r.asin(), r.rating(), r.title(), r.body(), r.verified_purchase(), r.device_id()};
}

// Finishes a submit or an import: OK with the review id and AWAITING_SCORING, or the error.
template <typename Response>
ReviewIntake::Done AnswerAwaitingScoring(rpc::Call call, Response* response) {
  return [call, response](absl::StatusOr<std::string> review_id) {
    if (review_id.ok()) {
      response->set_review_id(*review_id);
      response->set_status(v1::REVIEW_STATUS_AWAITING_SCORING);
    }
    call.Finish(review_id.status());
  };
}

std::optional<absl::Time> OptionalTime(bool has, const google::protobuf::Timestamp& ts,
                                       std::string_view field, absl::Status* error) {
  if (!has) return std::nullopt;
  absl::StatusOr<absl::Time> t = events::FromProtoTimestamp(field, ts);
  if (!t.ok()) {
    *error = t.status();
    return std::nullopt;
  }
  return *t;
}

// A raw request's bytes parsed into `message`; false when they are not one.
bool ParseRaw(const grpc::ByteBuffer& raw, google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  if (!raw.Dump(&slices).ok()) return false;
  std::string bytes;
  bytes.reserve(raw.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return message->ParseFromString(bytes);
}

// A ListReviewsResponse of `page`, serialised.
std::string RenderListPage(const ListPage& page) {
  v1::ListReviewsResponse response;
  response.mutable_reviews()->Reserve(static_cast<int>(page.reviews.size()));
  for (const reviewdb::ListedReview& r : page.reviews) {
    v1::ListedReview* out = response.add_reviews();
    out->set_review_id(r.review_id);
    out->set_title(r.title);
    out->set_body(r.body);
    out->set_stars(r.rating);
    out->set_verified_purchase(r.verified_purchase);
    out->set_helpful_votes(r.helpful_votes);
    out->set_total_votes(r.total_votes);
    events::ToProtoTimestamp(r.submitted_at, out->mutable_submitted_at());
  }
  response.set_next_page_token(page.next_page_token);
  return response.SerializeAsString();
}

// `bytes` as a message to send, by reference: the slice holds a reference to the string until
// gRPC has sent it.
grpc::ByteBuffer SendBytes(const std::shared_ptr<const std::string>& bytes) {
  auto* held = new std::shared_ptr<const std::string>(bytes);
  grpc::Slice slice(
      const_cast<char*>((*held)->data()), (*held)->size(),
      [](void* p) { delete static_cast<std::shared_ptr<const std::string>*>(p); }, held);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

// Shoppers submit reviews and ask about their own; product pages (any signed-in caller:
// shoppers, moderators, other services) read summaries, list and search reviews; only another
// Candor service (an importer) hands over historical reviews with their original times.
ReviewGrpcService::ReviewGrpcService(ReviewIntake& intake, SummaryReader& summaries,
                                     ReviewStatusReader& statuses, VoteIntake& votes,
                                     ReviewLister& lister, ReviewSearcher& searcher,
                                     const ClientAddressResolver& addresses,
                                     auth::Verifier verifier, review::DisplayPrior prior,
                                     const core::Clock& clock, rpc::CallObserver& observer)
    : intake_(intake),
      summaries_(summaries),
      statuses_(statuses),
      votes_(votes),
      lister_(lister),
      searcher_(searcher),
      addresses_(addresses),
      prior_(prior),
      gate_(v1::ReviewService::service_full_name(),
            {{"SubmitReview", {Role::kCustomer}},
             {"GetProductSummary", auth::RoleSet::All()},
             {"ImportReview", {Role::kService}},
             {"GetReviewStatus", {Role::kCustomer}},
             {"VoteHelpful", {Role::kCustomer}},
             {"ListReviews", auth::RoleSet::All()},
             // Search reads what ListReviews shows, so the same callers may run it.
             {"SearchReviews", auth::RoleSet::All()}},
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
  review::SubmissionInput input = ShopperFields(*request);
  intake_.Submit(
      {std::move(caller->subject), ClientAddress(*ctx, addresses_), caller->account_created}, input,
      AnswerAwaitingScoring(call, response));
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

grpc::ServerUnaryReactor* ReviewGrpcService::ImportReview(grpc::CallbackServerContext* ctx,
                                                          const v1::ImportReviewRequest* request,
                                                          v1::ImportReviewResponse* response) {
  rpc::Call call = gate_.Begin(ctx, import_);
  if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
    return call.Finish(caller.status());
  }
  ImportInput input;
  input.review = ShopperFields(*request);
  // The user and the address are the earlier system's, not this call's: the caller is the
  // importing service, its peer the importer's host.
  input.user_id = request->user_id();
  input.client_ip = request->client_ip();
  absl::Status bad_time;
  input.submitted_at =
      OptionalTime(request->has_submitted_at(), request->submitted_at(), "submitted_at", &bad_time);
  input.account_created_at =
      OptionalTime(request->has_account_created_at(), request->account_created_at(),
                   "account_created_at", &bad_time);
  if (!bad_time.ok()) return call.Finish(bad_time);
  intake_.Import(input, AnswerAwaitingScoring(call, response));
  return call.reactor();
}

grpc::ServerUnaryReactor* ReviewGrpcService::GetReviewStatus(
    grpc::CallbackServerContext* ctx, const v1::GetReviewStatusRequest* request,
    v1::ReviewStatusReport* response) {
  rpc::Call call = gate_.Begin(ctx, status_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  statuses_.Read(caller->subject, request->review_id(),
                 [call, response](absl::StatusOr<ReviewStatusView> view) {
                   if (!view.ok()) {
                     call.Finish(view.status());
                     return;
                   }
                   response->set_review_id(view->review_id);
                   response->set_status(events::ReviewStatusToProto(view->status));
                   if (view->decided_at) {
                     events::ToProtoTimestamp(*view->decided_at, response->mutable_decided_at());
                   }
                   // The weights stay inside: they are the scorer's internals (see the proto).
                   for (const review::Reason& r : view->reasons) {
                     v1::ReviewReason* out = response->add_reasons();
                     out->set_code(r.code);
                     out->set_value(r.value);
                     out->set_text(r.text);
                   }
                   call.Finish(absl::OkStatus());
                 });
  return call.reactor();
}

grpc::ServerUnaryReactor* ReviewGrpcService::VoteHelpful(grpc::CallbackServerContext* ctx,
                                                         const v1::VoteHelpfulRequest* request,
                                                         v1::VoteHelpfulResponse* response) {
  rpc::Call call = gate_.Begin(ctx, vote_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  absl::StatusOr<review::Vote> vote = events::VoteFromProto(request->vote());
  if (!vote.ok()) return call.Finish(vote.status());
  votes_.Vote(caller->subject, request->review_id(), *vote,
              [call, response](absl::StatusOr<review::HelpfulVote> v) {
                if (v.ok()) {
                  response->set_review_id(v->review_id);
                  response->set_vote(events::VoteToProto(v->vote));
                }
                call.Finish(v.status());
              });
  return call.reactor();
}

grpc::ServerUnaryReactor* ReviewGrpcService::ListReviews(grpc::CallbackServerContext* ctx,
                                                         const grpc::ByteBuffer* raw_request,
                                                         grpc::ByteBuffer* raw_response) {
  rpc::Call call = gate_.Begin(ctx, list_);
  if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
    return call.Finish(caller.status());
  }
  v1::ListReviewsRequest request;
  if (!ParseRaw(*raw_request, &request)) {
    return call.Finish(absl::InvalidArgumentError("request: not a ListReviewsRequest"));
  }
  ListRequest in;
  in.asin = request.asin();
  in.order = static_cast<int>(request.order());
  in.stars.assign(request.stars().begin(), request.stars().end());
  in.verified_only = request.verified_only();
  in.page_size = request.page_size();
  in.page_token = request.page_token();
  lister_.List(in, [call, raw_response](absl::StatusOr<ListPageCache::Page> page) {
    if (page.ok()) *raw_response = SendBytes((*page)->Rendered(RenderListPage));
    call.Finish(page.status());
  });
  return call.reactor();
}

grpc::ServerUnaryReactor* ReviewGrpcService::SearchReviews(grpc::CallbackServerContext* ctx,
                                                           const v1::SearchReviewsRequest* request,
                                                           v1::SearchReviewsResponse* response) {
  rpc::Call call = gate_.Begin(ctx, search_);
  if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
    return call.Finish(caller.status());
  }
  SearchInput in;
  in.asin = request->asin();
  in.query = request->query();
  in.stars.assign(request->stars().begin(), request->stars().end());
  if (request->has_verified_purchase()) in.verified = request->verified_purchase();
  absl::Status bad_time;
  in.submitted_from = OptionalTime(request->has_submitted_from(), request->submitted_from(),
                                   "submitted_from", &bad_time);
  in.submitted_before = OptionalTime(request->has_submitted_before(), request->submitted_before(),
                                     "submitted_before", &bad_time);
  if (!bad_time.ok()) return call.Finish(bad_time);
  in.sort = static_cast<int>(request->sort());
  in.page_size = request->page_size();
  in.cursor = request->cursor();
  searcher_.Search(in, [call, response](absl::StatusOr<search::SearchResult> result) {
    if (result.ok()) {
      for (const search::SearchHit& h : result->hits) {
        v1::SearchHit* out = response->add_hits();
        const search::ReviewDocument& d = h.review;
        v1::ListedReview* r = out->mutable_review();
        r->set_review_id(d.review_id);
        r->set_title(d.title);
        r->set_body(d.body);
        r->set_stars(d.rating);
        r->set_verified_purchase(d.verified);
        r->set_helpful_votes(d.helpful_votes);
        r->set_total_votes(d.total_votes);
        events::ToProtoTimestamp(d.created, r->mutable_submitted_at());
        out->set_relevance(h.relevance);
        out->set_snippet(h.snippet);
      }
      response->set_total(result->total);
      v1::SearchFacets* f = response->mutable_facets();
      for (int64_t n : result->facets.stars) f->add_stars(n);
      f->set_verified(result->facets.verified);
      f->set_unverified(result->facets.unverified);
      f->set_last_30_days(result->facets.last_30_days);
      f->set_last_year(result->facets.last_year);
      f->set_older(result->facets.older);
      response->set_next_cursor(result->next_cursor);
    }
    call.Finish(result.status());
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
