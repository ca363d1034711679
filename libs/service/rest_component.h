#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/metrics/http_route_metrics.h"
#include "libs/rest/rest_server.h"
#include "libs/service/component.h"
#include "libs/service/grpc_component.h"
#include "libs/service/grpc_config.h"

namespace candor::service {

// The settings of a public service's REST/JSON front (libs/rest), so that every such service
// has the same flags. A service's Config holds one as `rest`; its README lists the flags.
struct RestConfig {
  // -1: no REST front; 0: a free port (tests). The flag's default is the service's own
  // (RegisterRestFlags); this field's -1 serves Configs built by hand.
  int64_t port = -1;
  int64_t threads = 2;
  int64_t deadline_ms = 10000;
  int64_t idle_timeout_s = 60;
  // Comma-separated origins allowed to call from a browser (CORS); "*": any; empty: CORS off.
  std::string cors_origins{};
};

// Registers --http-port ($<env_prefix>HTTP_PORT, default `default_port`), --http-threads,
// --http-deadline-ms, --http-idle-timeout-s and --cors-origins (each $<env_prefix><FLAG>).
void RegisterRestFlags(core::Flags& flags, const std::string& env_prefix, RestConfig* config,
                       int64_t default_port);

// Checks the CORS origins (each an origin such as https://shop.example, or "*"). InvalidArgument
// naming the flag.
absl::Status ValidateRestConfig(const RestConfig& config);

// The REST server's options: it listens on the host of the gRPC --listen address (a gateway
// reachable over gRPC on an interface is reachable over REST on the same one), takes request
// bodies up to --max-request-bytes and drains with the gRPC server's grace and timeout. Pure.
rest::ServerOptions RestOptionsOf(const RestConfig& rest, const GrpcConfig& grpc);

// A REST/JSON front as a Component, beside the GrpcComponent whose server it calls through that
// server's in-process channel. Its routes are every google.api.http option of the named services
// (read from their descriptors at Start: a new annotated RPC needs no code here). Start after
// the GrpcComponent (list it after it: it is stopped before it, so in-flight REST requests still
// reach the server); PrepareStop starts the drain clock alongside the gRPC server's; Stop waits
// out the rest of the grace, answers what is in flight and closes. Borrows `grpc` and `metrics`.
class RestComponent final : public Component {
 public:
  RestComponent(rest::ServerOptions options, GrpcComponent& grpc, std::vector<std::string> services,
                metrics::Registry& metrics, std::string name = "rest")
      : name_(std::move(name)),
        options_(std::move(options)),
        grpc_(grpc),
        services_(std::move(services)),
        metrics_(metrics) {}

  std::string name() const override { return name_; }
  // Builds the routes (InvalidArgument for an annotation the router cannot serve, naming the
  // RPC), then listens (Unavailable when it cannot) and logs the address, the port and the
  // number of routes.
  absl::Status Start() override;
  void PrepareStop() override;
  void Stop() override;
  std::string StatsLine() const override { return {}; }

  // The bound port once started, else 0.
  int port() const { return server_ == nullptr ? 0 : server_->port(); }
  // The routes served (after Start), for tests.
  const rest::Server* server() const { return server_.get(); }

 private:
  std::string name_;
  rest::ServerOptions options_;
  GrpcComponent& grpc_;
  std::vector<std::string> services_;
  metrics::HttpRouteMetrics metrics_;
  std::unique_ptr<rest::Server> server_;
};

}  // namespace candor::service
