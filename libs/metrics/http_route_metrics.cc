#include "libs/metrics/http_route_metrics.h"

#include <mutex>

#include "absl/strings/str_cat.h"

namespace candor::metrics {

HttpRouteMetrics::Series HttpRouteMetrics::Find(std::string_view route, std::string_view method,
                                                int status) {
  const std::string key =
      absl::StrCat(absl::string_view(route.data(), route.size()), "|",
                   absl::string_view(method.data(), method.size()), "|", status);
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(key); it != series_.end()) return it->second;
  }
  const Labels labels{{"route", std::string(route)}, {"method", std::string(method)}};
  Labels with_code = labels;
  with_code["code"] = absl::StrCat(status);
  Series series{
      &registry_.GetCounter("candor_http_server_requests_total",
                            "REST/JSON requests answered, by route, method and HTTP status",
                            with_code),
      &registry_.GetHistogram(
          "candor_http_server_request_duration_seconds",
          "Time from a REST request's arrival (headers and body read) to its answer, by route "
          "and method",
          labels, LatencyBuckets())};
  std::unique_lock lock(mu_);
  return series_.try_emplace(key, series).first->second;
}

void HttpRouteMetrics::OnRequestDone(std::string_view route, std::string_view method, int status,
                                     absl::Duration latency) {
  const Series series = Find(route, method, status);
  series.requests->Increment();
  series.latency->Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace candor::metrics
