#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench/loadgen/mix.h"
#include "candor/bench/v1/bench_service.grpc.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"

namespace candor::loadgen {

using ReviewStub = review::v1::ReviewService::Stub;
using BenchStub = bench::v1::BenchService::Stub;

// The stubs of one channel (one HTTP/2 connection).
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<ReviewStub> review;
  std::unique_ptr<BenchStub> bench;
};

// `n` insecure channels to `target`, each its own TCP connection (gRPC would otherwise share one
// subchannel between channels with equal arguments), reconnecting within a second.
std::vector<Connection> Connect(const std::string& target, int n);

// Waits up to `wait` for the gateway to answer GetProductSummary (any answer but UNAVAILABLE /
// DEADLINE_EXCEEDED), then checks what the mix needs: UNAUTHENTICATED means our tokens are not
// signed with the gateway's secret; with noop in the mix, BenchService/Noop must be served
// (UNIMPLEMENTED: the gateway was started without --bench-noop). FailedPrecondition /
// Unavailable with a message saying which, OK when the run can start.
absl::Status Preflight(Connection& c, const Mix& mix, const std::string& bearer,
                       absl::Duration wait);

}  // namespace candor::loadgen
