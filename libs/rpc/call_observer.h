#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace candor::rpc {

// The per-method metrics hook (a port): told about every call a ServiceGate began, once its
// answer is on its way. Adapters (Prometheus, issue 13) count codes and record latencies per
// method. This target links nothing but absl, so an adapter needs no gRPC.
class CallObserver {
 public:
  virtual ~CallObserver() = default;

  // `method` is the full gRPC name ("/candor.review.v1.ReviewService/SubmitReview"), `code`
  // the status code the client is sent (absl's codes equal gRPC's), `latency` the time from the
  // handler's Begin to the answer. Called exactly once per call, on whichever thread finishes
  // it (a gRPC callback thread, an I/O or delivery thread): implementations must be
  // thread-safe and must not block. Never fails.
  virtual void OnCallDone(std::string_view method, absl::StatusCode code,
                          absl::Duration latency) = 0;
};

// An observer that does nothing: the default until a service wires metrics in. Stateless,
// thread-safe.
class NoopCallObserver final : public CallObserver {
 public:
  void OnCallDone(std::string_view, absl::StatusCode, absl::Duration) override {}
};

// One process-wide NoopCallObserver, for defaults. Never destroyed.
CallObserver& NoopObserver();

}  // namespace candor::rpc
