#include "libs/metrics/grpc_call_metrics.h"

#include <mutex>

#include "absl/strings/str_cat.h"

namespace candor::metrics {

std::pair<std::string_view, std::string_view> SplitMethod(std::string_view full_method) {
  std::string_view name = full_method;
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos) return {std::string_view(), name};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

GrpcCallMetrics::Series GrpcCallMetrics::Find(std::string_view method, absl::StatusCode code) {
  std::string key(method);
  absl::StrAppend(&key, "|", static_cast<int>(code));
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(key); it != series_.end()) return it->second;
  }
  const auto [service, name] = SplitMethod(method);
  const Labels labels{{"service", std::string(service)}, {"method", std::string(name)}};
  Labels with_code = labels;
  with_code["code"] = absl::StatusCodeToString(code);
  Series series{
      &registry_.GetCounter("candor_grpc_server_handled_total",
                            "gRPC calls answered, by service, method and status code", with_code),
      &registry_.GetHistogram("candor_grpc_server_handling_seconds",
                              "Time from a call's start to its answer, by service and method",
                              labels, LatencyBuckets())};
  std::unique_lock lock(mu_);
  return series_.try_emplace(key, series).first->second;
}

void GrpcCallMetrics::OnCallDone(std::string_view method, absl::StatusCode code,
                                 absl::Duration latency) {
  const Series series = Find(method, code);
  series.handled->Increment();
  series.latency->Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace candor::metrics
