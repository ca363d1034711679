#pragma once

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "libs/rpc/service_host.h"
#include "libs/service/component.h"

namespace candor::service {

// A gRPC server as a Component of a ServiceApp, beside the consume loops (reco-api's shape): it
// owns an rpc::ServiceHost. The domain adds its services (each with its ServiceGate) and health
// sources to host() when it builds them; ServiceApp::Run starts the server before the loops.
// When shutdown begins, PrepareStop turns health NOT_SERVING at once (load balancers move away
// while the loops finish their batches in flight); Stop, after the loops, drains the server
// (rpc::ServiceHost::Shutdown: the rest of the drain grace, then in-flight calls get the drain
// timeout) and returns when every handler has.
//
// Declare it after the gRPC services, gates and observers it serves (destroyed, and so drained,
// before them). host() from the thread that builds the domain, before Start; Start, PrepareStop
// and Stop as Component says; port() from any thread.
class GrpcComponent final : public Component {
 public:
  // `name` is what its log lines carry.
  explicit GrpcComponent(rpc::ServerOptions options, std::string name = "grpc")
      : name_(std::move(name)), listen_(options.listen), host_(std::move(options)) {}

  // Where the domain adds its services and health sources (before Start).
  rpc::ServiceHost& host() { return host_; }

  std::string name() const override { return name_; }
  // Starts the host (rpc::ServiceHost::Start: InvalidArgument for bad options or an undeclared
  // method, Unavailable when it cannot listen) and logs the address and the port it bound.
  absl::Status Start() override;
  // Health NOT_SERVING for good; calls are still served until Stop. Non-blocking.
  void PrepareStop() override { host_.StartDraining(); }
  // The drain; blocks until every handler has returned.
  void Stop() override { host_.Shutdown(); }

  // The bound port once Start succeeded (the real one when listening on port 0), else 0.
  int port() const { return port_.load(); }

 private:
  std::string name_;
  std::string listen_;
  rpc::ServiceHost host_;
  std::atomic<int> port_{0};
};

}  // namespace candor::service
