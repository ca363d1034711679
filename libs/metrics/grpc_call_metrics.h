#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "libs/metrics/metrics.h"
#include "libs/rpc/call_observer.h"

namespace candor::metrics {

// The metrics adapter of libs/rpc's CallObserver port: every call a ServiceGate finishes is
// counted and timed as
//   candor_grpc_server_handled_total{service, method, code}
//   candor_grpc_server_handling_seconds{service, method}   (histogram, LatencyBuckets)
// where `service` is the full service name ("candor.review.v1.ReviewService"), `method` the
// method ("SubmitReview") and `code` the gRPC code sent ("OK", "ALREADY_EXISTS"). Label values
// are bounded: methods are those the gate declares. Thread-safe, non-blocking (a reader lock
// finds the series after the first call of each method and code). Borrows the registry.
class GrpcCallMetrics final : public rpc::CallObserver {
 public:
  explicit GrpcCallMetrics(Registry& registry) : registry_(registry) {}
  void OnCallDone(std::string_view method, absl::StatusCode code, absl::Duration latency) override;

 private:
  struct Series {
    Counter* handled;
    Histogram* latency;
  };
  // By value: the map may rehash while another thread holds a result.
  Series Find(std::string_view method, absl::StatusCode code);

  Registry& registry_;
  std::shared_mutex mu_;
  absl::flat_hash_map<std::string, Series> series_;  // "<full method>|<code>"
};

// "/candor.review.v1.ReviewService/SubmitReview" -> {"candor.review.v1.ReviewService",
// "SubmitReview"}; a name without that shape is {"", name}. Pure.
std::pair<std::string_view, std::string_view> SplitMethod(std::string_view full_method);

}  // namespace candor::metrics
