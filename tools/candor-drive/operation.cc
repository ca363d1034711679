#include "tools/candor-drive/operation.h"

#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/events/timestamp.h"

namespace candor::drive {
namespace {

// Moves the review into the request (bodies run to a few KB; no second copy): the fields a
// SubmitReviewRequest carries, which an ImportReviewRequest carries alike.
template <typename Request>
void FillSubmit(Review&& r, Request* m) {
  m->set_asin(std::move(r.asin));
  m->set_rating(r.rating);
  m->set_title(std::move(r.title));
  m->set_body(std::move(r.body));
  m->set_verified_purchase(r.verified_purchase);
  m->set_device_id(std::move(r.device_id));
}

// One unary RPC as an Operation, from what sets it apart from the others: how its request is
// filled from the call's input, which stub method sends it, and what the answer takes from the
// response (`ok`: the call's status was OK).
template <typename Req, typename Resp>
class UnaryOperation final : public Operation {
 public:
  using Fill = void (*)(CallInput& in, Req* req);
  using Send = void (*)(Connection& c, grpc::ClientContext* ctx, const Req* req, Resp* resp,
                        std::function<void(grpc::Status)> finished);
  using Read = void (*)(const Req& req, const Resp& resp, bool ok, Answer* answer);

  UnaryOperation(Op op, Fill fill, Send send, Read read)
      : op_(op), fill_(fill), send_(send), read_(read) {}

  Op op() const override { return op_; }

  void Start(Connection& c, CallInput in, absl::Duration deadline,
             AnswerCallback done) const override {
    // The call's state lives on the heap until gRPC's callback has run.
    auto* call = new Call;
    call->done = std::move(done);
    if (!in.bearer.empty()) call->ctx.AddMetadata("authorization", in.bearer);
    if (!in.forwarded_for.empty()) call->ctx.AddMetadata("x-forwarded-for", in.forwarded_for);
    call->ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
    fill_(in, &call->req);
    send_(c, &call->ctx, &call->req, &call->resp, [call, read = read_](const grpc::Status& s) {
      std::unique_ptr<Call> owned(call);
      Answer a;
      a.code = static_cast<absl::StatusCode>(s.error_code());
      a.message = s.error_message();
      read(owned->req, owned->resp, s.ok(), &a);
      // The call's state (its ClientContext above all) goes before anyone hears the answer: the
      // one who waits for it may return and end the process at once, and a ClientContext
      // destroyed on this thread while the process exits corrupts the heap.
      AnswerCallback answer = std::move(owned->done);
      owned.reset();
      answer(std::move(a));
    });
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    Req req;
    Resp resp;
    AnswerCallback done;
  };

  Op op_;
  Fill fill_;
  Send send_;
  Read read_;
};

// Runs one call and waits for its answer.
Answer CallAndWait(const Operation& op, Connection& c, const CallInput& in,
                   absl::Duration deadline) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Answer answer;
  op.Start(c, in, deadline, [&](Answer a) {
    std::lock_guard lock(mu);
    answer = std::move(a);
    done = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return answer;
}

}  // namespace

std::vector<Connection> Connect(const std::string& target, int n, const std::string& reco_target) {
  auto open = [](const std::string& to, int i) {
    grpc::ChannelArguments args;
    // The default backoff grows to two minutes; a server that starts late should be seen soon.
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    // Without these, channels with equal arguments share one subchannel (one connection).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("candor.drive.channel", i);
    return grpc::CreateCustomChannel(to, grpc::InsecureChannelCredentials(), args);
  };
  std::vector<Connection> out;
  for (int i = 0; i < n; ++i) {
    Connection c;
    c.channel = open(target, i);
    c.review = review::v1::ReviewService::NewStub(c.channel);
    c.bench = bench::v1::BenchService::NewStub(c.channel);
    c.raw_list = std::make_unique<RawListStub>(c.channel);
    if (!reco_target.empty()) {
      c.reco_channel = open(reco_target, i);
      c.reco = reco::v1::RecommendationService::NewStub(c.reco_channel);
    }
    out.push_back(std::move(c));
  }
  return out;
}

Operations ServedOperations() {
  using review::v1::GetProductSummaryRequest;
  using review::v1::ImportReviewResponse;
  using review::v1::ProductSummary;
  using review::v1::SubmitReviewRequest;
  using review::v1::SubmitReviewResponse;
  Operations ops;
  ops[static_cast<size_t>(Op::kSubmit)] =
      std::make_unique<UnaryOperation<SubmitReviewRequest, SubmitReviewResponse>>(
          Op::kSubmit,
          [](CallInput& in, SubmitReviewRequest* req) { FillSubmit(std::move(in.review), req); },
          [](Connection& c, auto... call) { c.review->async()->SubmitReview(call...); },
          [](const SubmitReviewRequest&, const SubmitReviewResponse& resp, bool ok, Answer* a) {
            if (ok) a->review_id = resp.review_id();
          });
  ops[static_cast<size_t>(Op::kSummary)] =
      std::make_unique<UnaryOperation<GetProductSummaryRequest, ProductSummary>>(
          Op::kSummary,
          [](CallInput& in, GetProductSummaryRequest* req) { req->set_asin(std::move(in.asin)); },
          [](Connection& c, auto... call) { c.review->async()->GetProductSummary(call...); },
          [](const GetProductSummaryRequest& req, const ProductSummary& p, bool ok, Answer* a) {
            a->view.asin = req.asin();
            if (!ok) return;
            a->view.review_count = p.review_count();
            a->view.average = p.average();
            a->view.display_average = p.display_average();
            a->view.verified_count = p.verified_count();
            a->view.verified_average = p.verified_average();
            for (int k = 0; k < 5 && k < p.histogram_size(); ++k) {
              a->view.histogram[k] = p.histogram(k);
            }
          });
  // ReviewService/ImportReview: the review with its author and original time (service role).
  ops[static_cast<size_t>(Op::kImport)] =
      std::make_unique<UnaryOperation<review::v1::ImportReviewRequest, ImportReviewResponse>>(
          Op::kImport,
          [](CallInput& in, review::v1::ImportReviewRequest* req) {
            Review& r = in.review;
            req->set_user_id(std::move(r.user));
            if (r.submitted_at)
              events::ToProtoTimestamp(*r.submitted_at, req->mutable_submitted_at());
            req->set_client_ip(std::move(r.client_ip));
            if (r.account_created) {
              events::ToProtoTimestamp(*r.account_created, req->mutable_account_created_at());
            }
            FillSubmit(std::move(r), req);
          },
          [](Connection& c, auto... call) { c.review->async()->ImportReview(call...); },
          [](const review::v1::ImportReviewRequest&, const ImportReviewResponse& resp, bool ok,
             Answer* a) {
            if (ok) a->review_id = resp.review_id();
          });
  // ReviewService/ListReviews: a product's first page (50, most helpful first), what a product
  // page shows; a product without reviews answers OK with none. The page is received, not
  // parsed (RawListStub); the main job's report reads its pages with FetchTopReviews.
  ops[static_cast<size_t>(Op::kList)] =
      std::make_unique<UnaryOperation<review::v1::ListReviewsRequest, grpc::ByteBuffer>>(
          Op::kList,
          [](CallInput& in, review::v1::ListReviewsRequest* req) {
            req->set_asin(std::move(in.asin));
          },
          [](Connection& c, grpc::ClientContext* ctx, const review::v1::ListReviewsRequest* req,
             grpc::ByteBuffer* resp, std::function<void(grpc::Status)> finished) {
            static const std::string kMethod =
                absl::StrCat("/", review::v1::ReviewService::service_full_name(), "/ListReviews");
            c.raw_list->UnaryCall(ctx, kMethod, grpc::StubOptions(), req, resp,
                                  std::move(finished));
          },
          [](const review::v1::ListReviewsRequest& req, const grpc::ByteBuffer&, bool, Answer* a) {
            a->view.asin = req.asin();
          });
  // ReviewService/VoteHelpful: the caller's vote on a review (the replay's --votes).
  ops[static_cast<size_t>(Op::kVote)] = std::make_unique<
      UnaryOperation<review::v1::VoteHelpfulRequest, review::v1::VoteHelpfulResponse>>(
      Op::kVote,
      [](CallInput& in, review::v1::VoteHelpfulRequest* req) {
        req->set_review_id(std::move(in.review_id));
        req->set_vote(in.vote);
      },
      [](Connection& c, auto... call) { c.review->async()->VoteHelpful(call...); },
      [](const review::v1::VoteHelpfulRequest& req, const review::v1::VoteHelpfulResponse&, bool,
         Answer* a) { a->review_id = req.review_id(); });
  // ReviewService/SearchReviews: the words inside one product's reviews, the first page (10) by
  // relevance with its facets, what a shopper's search box asks; no match answers OK with none.
  ops[static_cast<size_t>(Op::kSearch)] = std::make_unique<
      UnaryOperation<review::v1::SearchReviewsRequest, review::v1::SearchReviewsResponse>>(
      Op::kSearch,
      [](CallInput& in, review::v1::SearchReviewsRequest* req) {
        req->set_asin(std::move(in.asin));
        req->set_query(std::move(in.query));
        req->set_sort(review::v1::SEARCH_SORT_RELEVANCE);
      },
      [](Connection& c, auto... call) { c.review->async()->SearchReviews(call...); },
      [](const review::v1::SearchReviewsRequest& req, const review::v1::SearchReviewsResponse&,
         bool, Answer* a) { a->view.asin = req.asin(); });
  // reco-api's RecommendationService/Recommend: a shopper's own list (their token, their id).
  ops[static_cast<size_t>(Op::kRecommend)] =
      std::make_unique<UnaryOperation<reco::v1::RecommendRequest, reco::v1::RecommendResponse>>(
          Op::kRecommend,
          [](CallInput& in, reco::v1::RecommendRequest* req) {
            req->set_user_id(std::move(in.user_id));
            req->set_count(in.count);
          },
          [](Connection& c, auto... call) { c.reco->async()->Recommend(call...); },
          [](const reco::v1::RecommendRequest&, const reco::v1::RecommendResponse& resp, bool ok,
             Answer* a) {
            if (ok) a->items = resp.items_size();
          });
  // reco-api's RecommendationService/SimilarItems: products like one product (any role); a
  // product the model does not know answers NOT_FOUND.
  ops[static_cast<size_t>(Op::kSimilar)] = std::make_unique<
      UnaryOperation<reco::v1::SimilarItemsRequest, reco::v1::SimilarItemsResponse>>(
      Op::kSimilar,
      [](CallInput& in, reco::v1::SimilarItemsRequest* req) {
        req->set_asin(std::move(in.asin));
        req->set_count(in.count);
      },
      [](Connection& c, auto... call) { c.reco->async()->SimilarItems(call...); },
      [](const reco::v1::SimilarItemsRequest& req, const reco::v1::SimilarItemsResponse& resp,
         bool ok, Answer* a) {
        a->view.asin = req.asin();
        if (ok) a->items = resp.items_size();
      });
  // BenchService/Noop: the gateway authenticates the token and answers at once (--bench-noop).
  ops[static_cast<size_t>(Op::kNoop)] =
      std::make_unique<UnaryOperation<bench::v1::NoopRequest, SubmitReviewResponse>>(
          Op::kNoop,
          [](CallInput& in, bench::v1::NoopRequest* req) {
            FillSubmit(std::move(in.review), req->mutable_review());
          },
          [](Connection& c, auto... call) { c.bench->async()->Noop(call...); },
          [](const bench::v1::NoopRequest&, const SubmitReviewResponse&, bool, Answer*) {});
  for (Op op : kAllOps) {
    if ((ops[static_cast<size_t>(op)] != nullptr) != IsServed(op)) {
      std::cerr << "candor-drive: bug: mix.h IsServed and ServedOperations disagree on "
                << OpName(op) << "\n";
      std::abort();
    }
  }
  return ops;
}

std::vector<Answer> FetchSummaries(const Operation& summary, Connection& c,
                                   const std::string& bearer, const std::vector<std::string>& asins,
                                   int concurrency, absl::Duration deadline) {
  std::vector<Answer> answers(asins.size());
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  for (size_t i = 0; i < asins.size(); ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < concurrency; });
      ++in_flight;
    }
    CallInput in;
    in.asin = asins[i];
    in.bearer = bearer;
    summary.Start(c, in, deadline, [&, i](Answer a) {
      std::lock_guard lock(mu);
      answers[i] = std::move(a);
      --in_flight;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return answers;
}

absl::StatusOr<std::vector<TopReview>> FetchTopReviews(Connection& c, const std::string& bearer,
                                                       const std::string& asin, int n,
                                                       absl::Duration deadline) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", bearer);
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
  review::v1::ListReviewsRequest req;
  req.set_asin(asin);
  req.set_page_size(n);
  review::v1::ListReviewsResponse resp;
  const grpc::Status s = c.review->ListReviews(&ctx, req, &resp);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        absl::StrCat("ListReviews ", asin, ": ", s.error_message()));
  }
  std::vector<TopReview> top;
  for (const review::v1::ListedReview& r : resp.reviews()) {
    TopReview t;
    t.review_id = r.review_id();
    t.title = r.title();
    t.stars = r.stars();
    t.verified = r.verified_purchase();
    t.helpful = r.helpful_votes();
    t.total = r.total_votes();
    absl::StatusOr<absl::Time> at = events::FromProtoTimestamp("submitted_at", r.submitted_at());
    if (!at.ok()) return at.status();
    t.submitted_at = *at;
    top.push_back(std::move(t));
  }
  return top;
}

absl::Status Preflight(const Operations& ops, Connection& c, const Mix& mix,
                       const std::string& bearer, const std::string& bearer_user,
                       absl::Duration wait, absl::Duration deadline, bool check_tokens,
                       std::string* detail) {
  const absl::Time give_up = absl::Now() + wait;
  auto unreachable = [](const Answer& a) {
    return a.code == absl::StatusCode::kUnavailable ||
           a.code == absl::StatusCode::kDeadlineExceeded;
  };
  // The first answer of `op` to `probe` that is not UNAVAILABLE / DEADLINE_EXCEEDED, or the last
  // one when `give_up` passed first.
  auto first_answer = [&](Op op, const CallInput& probe) {
    while (true) {
      Answer a = CallAndWait(*ops[static_cast<size_t>(op)], c, probe, deadline);
      *detail = absl::StrCat(CodeName(a.code), a.message.empty() ? "" : ": ", a.message);
      if (!unreachable(a) || absl::Now() >= give_up) return a;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  // Waits for the server `name` ("gateway") through `op`; `the_name` ("the gateway") in a
  // sentence. Unavailable when it never answered, FailedPrecondition when it refuses our tokens.
  auto reach = [&](absl::string_view name, absl::string_view the_name, Op op,
                   const CallInput& probe) -> absl::Status {
    const Answer a = first_answer(op, probe);
    if (unreachable(a)) {
      return absl::UnavailableError(absl::StrCat("no ", name, " answered within ",
                                                 absl::FormatDuration(wait), ": ", *detail));
    }
    if (check_tokens && a.code == absl::StatusCode::kUnauthenticated) {
      return absl::FailedPreconditionError(absl::StrCat(the_name, " refuses our tokens (",
                                                        a.message, "): is CANDOR_JWT_SECRET ",
                                                        the_name, "'s secret?"));
    }
    return absl::OkStatus();
  };
  // A mix that sends nothing to the gateway (reco-api's operations alone) does not need it.
  if (mix.Uses(Server::kGateway) || !mix.Uses(Server::kRecoApi)) {
    CallInput probe;
    probe.asin = "B0PROBE000";  // any well-formed ASIN will do; NOT_FOUND is as good as OK
    probe.bearer = bearer;
    if (absl::Status s = reach("gateway", "the gateway", Op::kSummary, probe); !s.ok()) return s;
  }
  if (mix.Uses(Server::kRecoApi)) {
    if (c.reco == nullptr) {
      return absl::FailedPreconditionError(
          "the mix sends reco-api's operations but no reco-api "
          "address was given (--reco-target)");
    }
    CallInput probe;
    probe.user_id = bearer_user;  // a customer may ask for their own list
    probe.bearer = bearer;
    if (absl::Status s = reach("reco-api", "reco-api", Op::kRecommend, probe); !s.ok()) return s;
  }
  if (!check_tokens) return absl::OkStatus();
  if (mix.Weight(Op::kNoop) > 0) {
    CallInput noop;
    noop.bearer = bearer;
    Answer n = CallAndWait(*ops[static_cast<size_t>(Op::kNoop)], c, noop, absl::Seconds(2));
    if (n.code == absl::StatusCode::kUnimplemented) {
      return absl::FailedPreconditionError(
          "the gateway does not serve candor.bench.v1.BenchService/Noop: start it with "
          "--bench-noop (or CANDOR_GATEWAY_BENCH_NOOP=1)");
    }
    if (n.code != absl::StatusCode::kOk) {
      return absl::FailedPreconditionError(
          absl::StrCat("BenchService/Noop answered ", CodeName(n.code), ": ", n.message));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::drive
