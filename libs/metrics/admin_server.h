#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace candor::metrics {

// What the admin server answers with. Both functions run on the server's thread: thread-safe,
// quick, never blocking on a store.
struct AdminHandlers {
  // The body of /metrics (PrometheusRegistry::Exposition) and its content type.
  std::function<std::string()> metrics{};
  std::string metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";
  // Readiness: OK -> /readyz 200; otherwise 503 with the status' message ("starting: connecting
  // to Kafka", "draining"). Null: always ready.
  std::function<absl::Status()> ready{};
};

// A service's admin HTTP endpoint: GET /metrics (Prometheus text exposition), GET /healthz
// (liveness: 200 "ok" while the process runs) and GET /readyz (200 "ready" or 503 naming why
// not). HEAD works on each; another path is 404, another method 405. One connection at a time
// on one thread (Boost.Asio/Beast): admin traffic is a scrape a second and a few probes, and a
// slow client is cut off after a 5 s deadline so it cannot hold the others up for long.
// Answers carry `Connection: close`.
class AdminServer {
 public:
  // Listens on `host`:`port` (port 0: a free one, see port()) and serves on a thread of its
  // own. Unavailable naming the address when it cannot listen; InvalidArgument for a bad host.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& host, int port,
                                                            AdminHandlers handlers);
  // Stops listening, finishes nothing further and joins the thread.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  int port() const { return port_; }
  // Requests answered so far (any path); for tests and stats.
  int64_t requests() const { return requests_.load(); }

 private:
  struct Impl;
  AdminServer() = default;

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<int64_t> requests_{0};
  std::thread thread_;
};

}  // namespace candor::metrics
