#pragma once

#include <grpcpp/channel.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/metrics/http_route_metrics.h"
#include "libs/rest/route_table.h"

namespace candor::rest {

// How a Server listens, calls and drains. Check() says whether the values are usable.
struct ServerOptions {
  // An IP address (not a host name) and a port; port 0 picks a free one (Server::port()).
  std::string host = "127.0.0.1";
  int port = 0;
  // Threads running the connections (1..64). They never block: a request is parsed, handed to
  // gRPC and the thread moves on; the answer is written when gRPC calls back.
  int threads = 2;
  // Deadline of each call into the gRPC service (DEADLINE_EXCEEDED: 504).
  absl::Duration deadline = absl::Seconds(10);
  // How long a connection may sit idle between requests (or take to send one) before it is
  // closed.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Largest request body; a larger one is answered 413 and the connection closed.
  size_t max_body_bytes = 64 * 1024;
  // Origins a browser may call from (CORS): empty, CORS is off (no Access-Control-* headers,
  // preflights 405); "*" allows any origin.
  std::vector<std::string> cors_origins{};
  // Served as GET /openapi.json when not empty.
  std::string openapi_json{};
  // The drain, as rpc::ServerOptions': from StartDraining, `drain_grace` more of serving (each
  // answer then says Connection: close), then requests in flight get `drain_timeout`.
  absl::Duration drain_grace = absl::ZeroDuration();
  absl::Duration drain_timeout = absl::Seconds(5);

  // InvalidArgument naming the first bad field.
  absl::Status Check() const;
};

// A REST/JSON front for gRPC services, on Boost.Beast: every route of a RouteTable (built from
// the services' google.api.http options) is served by calling the method through `channel`,
// which is meant to be the process's own gRPC server's in-process channel
// (rpc::ServiceHost::InProcessChannel): the call passes the same ServiceGate (token, role),
// metrics, size limits and deadlines as a gRPC client's. `Authorization` is forwarded as
// `authorization` metadata, `X-Forwarded-For` as `x-forwarded-for`, and the TCP peer as
// kPeerMetadata (peer.h). Answers are the response message as JSON (ToJson), or an error as
// status_http.h maps it. The front's own errors: 404 for a path no route has, 405 (with Allow)
// for a method the path does not take, 400 naming what is wrong with the JSON or a parameter,
// 413 beyond max_body_bytes, 415 for a body that is not application/json, 431 for oversized
// headers.
//
// Connections are kept alive (HTTP/1.1) and served by `threads` threads of one io_context, one
// strand per connection; no thread waits for a call. Thread-safe; the destructor calls Stop.
class Server {
 public:
  // Listens and starts serving. InvalidArgument for bad options, Unavailable when it cannot
  // listen. `metrics` may be null (nothing counted); it and `channel` must outlive the Server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options, RouteTable routes,
                                                       std::shared_ptr<grpc::Channel> channel,
                                                       metrics::HttpRouteMetrics* metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  const RouteTable& routes() const;

  // Shutdown has begun: requests are still served, each answer closes its connection.
  // Non-blocking, idempotent.
  void StartDraining();
  // The drain: StartDraining, the rest of drain_grace, then no new connections; requests in
  // flight get drain_timeout to be answered (then their calls are cancelled and answered 499
  // or as gRPC says); then every connection is closed and the threads joined. Idempotent.
  void Stop();

  // The io_context, the acceptor and the gRPC stub its sessions share (rest_server.cc).
  struct Impl;

 private:
  Server() = default;

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace candor::rest
