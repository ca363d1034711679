#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "candor/bench/v1/bench_service.grpc.pb.h"
#include "candor/reco/v1/reco_service.grpc.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/report.h"
#include "tools/candor-drive/tokens.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-drive/votes.h"

namespace candor::drive {

using ReviewStub = review::v1::ReviewService::Stub;
using BenchStub = bench::v1::BenchService::Stub;
using RecoStub = reco::v1::RecommendationService::Stub;
// ListReviews with the response left as the bytes received: a load generator that parsed every
// page (tens of KB) would spend the cores the gateway is measured on.
using RawListStub = grpc::TemplatedGenericStub<review::v1::ListReviewsRequest, grpc::ByteBuffer>;

// The stubs of one channel (one HTTP/2 connection) to the gateway and, when the run sends
// reco-api's operations, of one more to reco-api (null otherwise).
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<ReviewStub> review;
  std::unique_ptr<BenchStub> bench;
  std::unique_ptr<RawListStub> raw_list;
  std::shared_ptr<grpc::Channel> reco_channel;
  std::unique_ptr<RecoStub> reco;
};

// `n` insecure channels to `target`, each its own TCP connection (gRPC would otherwise share one
// subchannel between channels with equal arguments), reconnecting within a second after the
// server (re)appears; with a non-empty `reco_target`, each connection also gets a channel of its
// own to reco-api there.
std::vector<Connection> Connect(const std::string& target, int n,
                                const std::string& reco_target = "");

// What one call carries. Each operation reads the fields it needs: submit, noop and import the
// review (import also its user, original time, client address and account creation), summary
// and list the asin, search the asin and the query, vote the review id and the vote, recommend
// the user and the count, similar the asin and the count; every call sends `bearer` ("Bearer
// <jwt>", "" = none) as authorization and, when set, `forwarded_for` as `x-forwarded-for` (the
// client's address as a proxy would state it).
struct CallInput {
  Review review;
  std::string asin;
  std::string query;    // search: the shopper's words
  std::string user_id;  // recommend: whose list
  int32_t count = 0;    // recommend, similar: items asked for (0 = the server's default)
  std::string review_id;
  review::v1::HelpfulVoteValue vote = review::v1::HELPFUL_VOTE_VALUE_UNSPECIFIED;
  std::string bearer;
  std::string forwarded_for;
};

// Receives a call's answer, once, on a gRPC thread.
using AnswerCallback = std::function<void(Answer)>;

// One kind of call the tool can send (port; the adapters are the gRPC calls in operation.cc).
// The replay, the benchmark mixes, the freshness probes and the convergence check all send
// their calls through these, so a new RPC (vote, list, search, recommend) is added once: an Op
// in mix.h and an Operation here. Implementations are stateless and thread-safe.
class Operation {
 public:
  virtual ~Operation() = default;
  virtual Op op() const = 0;
  // Starts one call on `c` (which must outlive it) with `deadline`; `done` runs exactly once
  // with the answer. Never blocks.
  virtual void Start(Connection& c, CallInput in, absl::Duration deadline,
                     AnswerCallback done) const = 0;
};

// Every operation this version serves, indexed by Op; null where IsServed(op) is false.
using Operations = std::array<std::unique_ptr<Operation>, kOpCount>;
Operations ServedOperations();

// The `sub` of the service-role token the tool imports with (ImportReview).
inline constexpr char kImporterSubject[] = "candor-drive-importer";

// Calls `summary` for every asin, at most `concurrency` calls in flight; one answer per asin, in
// order. Blocks.
std::vector<Answer> FetchSummaries(const Operation& summary, Connection& c,
                                   const std::string& bearer, const std::vector<std::string>& asins,
                                   int concurrency, absl::Duration deadline);

// ListReviews' first page of `asin` (most helpful first, `n` reviews) with `bearer`. Blocks.
absl::StatusOr<std::vector<TopReview>> FetchTopReviews(Connection& c, const std::string& bearer,
                                                       const std::string& asin, int n,
                                                       absl::Duration deadline);

// Waits up to `wait` for each server the mix sends to to answer (any answer but UNAVAILABLE /
// DEADLINE_EXCEEDED; wait 0 = one try): the gateway GetProductSummary, reco-api a Recommend for
// `bearer_user` (whose token `bearer` is: a customer may ask for their own list). `detail` says
// what came back. Then, unless `check_tokens` is false, checks what the mix needs:
// UNAUTHENTICATED means our tokens are not signed with the server's secret; with noop in the
// mix, BenchService/Noop must be served (UNIMPLEMENTED: the gateway was started without
// --bench-noop). Unavailable / FailedPrecondition with a message saying which; OK when the run
// can start.
absl::Status Preflight(const Operations& ops, Connection& c, const Mix& mix,
                       const std::string& bearer, const std::string& bearer_user,
                       absl::Duration wait, absl::Duration deadline, bool check_tokens,
                       std::string* detail);

}  // namespace candor::drive
