#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/core/periodic_reporter.h"
#include "libs/rpc/service_gate.h"

namespace candor::rpc {

// How a ServiceHost listens and drains. Check() says whether the values are usable.
struct ServerOptions {
  // host:port; port 0 picks a free one (ServiceHost::port() reports it).
  std::string listen = "127.0.0.1:0";
  // Largest request accepted; a larger one is answered RESOURCE_EXHAUSTED by gRPC. gRPC's
  // default is 4 MiB.
  int max_receive_bytes = 4 << 20;
  // Largest response sent; a larger one fails the call with RESOURCE_EXHAUSTED. -1: no limit
  // (gRPC's default).
  int max_send_bytes = -1;
  // Serve grpc.reflection.v1alpha.ServerReflection (grpcurl and grpc_cli work without protos).
  bool reflection = true;
  // Keepalive (gRFC A8). Zero leaves gRPC's default, noted after each.
  // How often the server pings an idle connection to see it is alive (2 h).
  absl::Duration keepalive_time = absl::ZeroDuration();
  // How long it waits for that ping's answer before closing the connection (20 s).
  absl::Duration keepalive_timeout = absl::ZeroDuration();
  // The shortest interval between client pings the server tolerates; clients pinging more
  // often are sent GOAWAY "too_many_pings" (5 min).
  absl::Duration keepalive_min_client_ping_interval = absl::ZeroDuration();
  // Whether clients may ping while no call is open (false).
  bool keepalive_permit_without_calls = false;
  // Drain: health turns NOT_SERVING, then for `drain_grace` new calls are still served (load
  // balancers take a moment to notice), then the server stops taking calls and in-flight ones
  // get `drain_timeout` to finish before they are cancelled.
  absl::Duration drain_grace = absl::ZeroDuration();
  absl::Duration drain_timeout = absl::Seconds(5);
  // How often health sources are asked.
  absl::Duration health_poll_interval = absl::Milliseconds(200);

  // InvalidArgument naming the first bad field (empty listen address, a size below 1 KiB
  // other than -1 for sends, a negative duration, a poll interval under 10 ms).
  absl::Status Check() const;
};

// A health source: OK while the process can serve, else a status saying why not (logged once
// when health turns NOT_SERVING). Called on the host's health thread; must be thread-safe and
// quick (it is polled, see ServerOptions::health_poll_interval).
using HealthSource = std::function<absl::Status()>;

// Hosts gRPC services on one server: listening (port 0 in tests), the standard
// grpc.health.v1.Health service, reflection, message-size limits, keepalive, and a drain on
// shutdown. Each service comes with its ServiceGate, and Start refuses a service whose gate
// does not declare who may call every one of its methods.
//
// Start and Shutdown are explicit so that another runner can host it beside Kafka consumers in
// one process: Start() it after the consumers' dependencies are up, call StartDraining() as
// soon as shutdown begins (health NOT_SERVING while the consumers stop), then Shutdown().
//
// Health: SERVING after Start while every health source is OK and no drain has begun;
// NOT_SERVING otherwise, for the whole server ("") and each hosted service by name. A source
// that recovers turns it back to SERVING (never during a drain).
//
// AddService / AddHealthSource / Start from one thread, before serving. StartDraining,
// Shutdown, port and serving are thread-safe. Borrows the services and gates; they must
// outlive the host's Shutdown (the destructor calls it).
class ServiceHost {
 public:
  explicit ServiceHost(ServerOptions options) : options_(std::move(options)) {}
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  // Hosts `service`, whose calls go through `gate`. Before Start.
  void AddService(grpc::Service* service, const ServiceGate& gate);

  // Adds a health source; `what` names it in the log ("Kafka producer"). Before Start.
  void AddHealthSource(std::string what, HealthSource source);

  // Checks every hosted service's gate against its proto (each method declared, nothing
  // declared that the service lacks), then listens and starts serving. InvalidArgument for bad
  // options or an undeclared / unknown method (naming it), Unavailable when it cannot listen,
  // FailedPrecondition when called twice.
  absl::Status Start();

  // The bound port (after Start; the real one when listening on port 0).
  int port() const { return port_; }

  // A channel to this server inside the process: no socket, the same gates, limits, metrics and
  // deadlines as a network client's (libs/rest's REST front calls through it). Its calls' peer
  // is the in-process transport, which names no client. After a successful Start; null before.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Whether health currently says SERVING.
  bool serving() const;

  // Turns health NOT_SERVING for good and starts the grace period; the server still serves.
  // Idempotent, non-blocking.
  void StartDraining();

  // The drain: StartDraining, waits for what is left of the grace period, stops taking calls,
  // lets in-flight calls finish for up to drain_timeout (then cancels them), and returns once
  // every handler has returned. Idempotent; blocks. Does nothing before a successful Start.
  void Shutdown();

 private:
  struct Hosted {
    grpc::Service* service;
    const ServiceGate* gate;
  };
  struct Source {
    std::string what;
    HealthSource check;
  };

  absl::Status CheckDeclarations() const;
  // Asks every source and sets health accordingly; logs transitions.
  void PollHealth();
  void SetServing(bool serving);  // mu_ held

  ServerOptions options_;
  std::vector<Hosted> services_;
  std::vector<Source> sources_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  mutable std::mutex mu_;
  bool serving_ = false;                     // guarded by mu_
  std::optional<absl::Time> drain_started_;  // guarded by mu_
  std::string failing_;                      // guarded by mu_: the source that failed last

  std::once_flag shutdown_once_;
  // Declared last: destroyed (joined) first, before what it reads.
  std::unique_ptr<core::PeriodicReporter> health_poller_;
};

}  // namespace candor::rpc
