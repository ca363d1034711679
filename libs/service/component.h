#pragma once

#include <string>

#include "absl/status/status.h"

namespace candor::service {

// A long-running part of a service process beside its consume loops: a gRPC server, a periodic
// job (rating-aggregator's heal), later a search index writer's flusher. ServiceApp::Run starts
// the components after the adapters are connected and before the consume loops, in the order
// the domain lists them, and stops them in the reverse order after the loops have finished and
// the consumers are closed, before the stores close. A gRPC server is hosted by GrpcComponent
// (grpc_component.h, target candor::service_grpc): its Start builds and starts the server, its
// PrepareStop turns health NOT_SERVING and its Stop drains it.
//
// Start, PrepareStop and Stop are called once each, from the thread that runs ServiceApp::Run;
// PrepareStop and Stop only after a successful Start, PrepareStop always before Stop. StatsLine
// may be called from another thread at any time between Start and Stop.
class Component {
 public:
  virtual ~Component() = default;

  // The name its log lines carry ("rating-healer", "grpc").
  virtual std::string name() const = 0;
  // Starts the component's own work (its threads, its listener) and returns once it runs.
  // Errors (a port taken, a store refusing) fail the service's startup: the components started
  // before it are stopped again and Run returns the error.
  virtual absl::Status Start() = 0;
  // Shutdown has begun (SIGTERM, or a consume loop failed): called at once, while the loops still
  // finish their batches in flight, so the component can tell the outside world before it stops
  // (a server turns its health NOT_SERVING). Must not block; the component keeps working until
  // Stop. Optional.
  virtual void PrepareStop() {}
  // Stops the work and waits for it (a server drains its calls); never fails. After Stop the
  // component no longer uses the adapters it borrowed.
  virtual void Stop() = 0;
  // Its counters for the periodic stats line, printed as "stats <name>: <line>"; empty: no line.
  virtual std::string StatsLine() const { return {}; }
};

}  // namespace candor::service
