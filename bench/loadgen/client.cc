#include "bench/loadgen/client.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/loadgen/report.h"

namespace candor::loadgen {

std::vector<Connection> Connect(const std::string& target, int n) {
  std::vector<Connection> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    // Without these, channels with equal arguments share one subchannel (one connection).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("candor.loadgen.channel", i);
    Connection c;
    c.channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    c.review = review::v1::ReviewService::NewStub(c.channel);
    c.bench = bench::v1::BenchService::NewStub(c.channel);
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status Preflight(Connection& c, const Mix& mix, const std::string& bearer,
                       absl::Duration wait) {
  const absl::Time give_up = absl::Now() + wait;
  grpc::Status s;
  while (true) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearer);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1000));
    review::v1::GetProductSummaryRequest req;
    req.set_asin("B0PROBE000");
    review::v1::ProductSummary resp;
    s = c.review->GetProductSummary(&ctx, req, &resp);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
        s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      break;
    }
    if (absl::Now() >= give_up) {
      return absl::UnavailableError(absl::StrCat(
          "no gateway answered within ", absl::FormatDuration(wait), ": ", s.error_message()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::FailedPreconditionError(
        absl::StrCat("the gateway refuses our tokens (", s.error_message(),
                     "): is CANDOR_JWT_SECRET the gateway's secret?"));
  }
  if (mix.Weight(Op::kNoop) > 0) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearer);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(2000));
    bench::v1::NoopRequest req;
    review::v1::SubmitReviewResponse resp;
    grpc::Status n = c.bench->Noop(&ctx, req, &resp);
    if (n.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return absl::FailedPreconditionError(
          "the gateway does not serve candor.bench.v1.BenchService/Noop: start it with "
          "--bench-noop (or CANDOR_GATEWAY_BENCH_NOOP=1)");
    }
    if (!n.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "BenchService/Noop answered ", CodeName(static_cast<absl::StatusCode>(n.error_code())),
          ": ", n.error_message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::loadgen
