#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "libs/metrics/metrics.h"

namespace candor::metrics {

// Every answer of a REST/JSON front (libs/rest) counted and timed as
//   candor_http_server_requests_total{route, method, code}
//   candor_http_server_request_duration_seconds{route, method}   (histogram, LatencyBuckets)
// where `route` is the path template as the proto's google.api.http option writes it
// ("/v1/products/{asin}/summary"), "/openapi.json", or "unmatched" for a path no route has;
// `method` the HTTP method and `code` the HTTP status ("200", "409"). Label values are bounded:
// routes come from the protos, methods and codes from small fixed sets. Thread-safe,
// non-blocking after the first answer of each series (a reader lock finds it). Borrows the
// registry.
class HttpRouteMetrics {
 public:
  explicit HttpRouteMetrics(Registry& registry) : registry_(registry) {}

  void OnRequestDone(std::string_view route, std::string_view method, int status,
                     absl::Duration latency);

 private:
  struct Series {
    Counter* requests;
    Histogram* latency;
  };
  // By value: the map may rehash while another thread holds a result.
  Series Find(std::string_view route, std::string_view method, int status);

  Registry& registry_;
  std::shared_mutex mu_;
  absl::flat_hash_map<std::string, Series> series_;  // "<route>|<method>|<status>"
};

}  // namespace candor::metrics
