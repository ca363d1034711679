#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/batch_loop.h"
#include "libs/metrics/admin_server.h"
#include "libs/service/component.h"
#include "libs/service/service_config.h"

namespace candor::kafka {
class Consumer;
class Producer;
}  // namespace candor::kafka
namespace candor::pg {
class Pool;
}
namespace candor::redis {
class Client;
}
namespace candor::metrics {
class AdminServer;
class PrometheusRegistry;
class Registry;
}  // namespace candor::metrics

namespace candor::service {

// The adapters ServiceApp connected at startup, lent to the domain it builds on them. Null when
// the service's AdapterSet does not ask for it. ServiceApp owns them and destroys them after the
// domain.
struct Adapters {
  redis::Client* redis = nullptr;
  pg::Pool* pg = nullptr;
  kafka::Producer* producer = nullptr;  // also sends the consume loops' dead letters
  // Where the domain registers its own metrics (served on the admin port with the scaffold's);
  // never null. A gRPC component's gate counts its calls here through
  // metrics::GrpcCallMetrics (libs/metrics/grpc_call_metrics.h).
  metrics::Registry* metrics = nullptr;
};

// One consume loop a domain runs: what it consumes, in what batches, and the handler each batch
// goes to (kafka::RunBatchLoop: poison and messages failing alone go to `<their topic>.dlq`).
struct ConsumerLoop {
  // Empty for a service's only loop; otherwise set apart in log lines ("stats votes: ...").
  std::string name{};
  ConsumerConfig config{};  // valid (ValidateConsumerConfig)
  // Owned by the domain; called from this loop's own thread only.
  kafka::BatchHandler* handler = nullptr;
  // The service's counters for this loop's stats line ("counted=12 uncounted=0"), printed after
  // the loop's own; called from the reporter thread. Optional.
  std::function<std::string()> stats{};
  // Appended to the startup line "consuming <topics> as group <group>".
  std::string startup_details{};
};

// The domain side of a service: the objects its composition root (app.cc) builds on Adapters,
// the consume loops they end in and the components that run beside them. Owned by ServiceApp,
// which destroys it after stopping everything and before closing the adapters.
class ServiceDomain {
 public:
  virtual ~ServiceDomain() = default;
  // The consume loops, each run on a thread of its own. Called once, right after construction.
  virtual std::vector<ConsumerLoop> consumers() = 0;
  // The components (owned by the domain), in start order; stopped in reverse. Called once.
  virtual std::vector<Component*> components() { return {}; }
};

// What differs between services in how ServiceApp connects.
struct ServiceAppOptions {
  std::string client_id;  // Kafka client.id, e.g. "candor-fraud-scorer"
  AdapterSet adapters;    // what to connect and lend to the domain
  // How long the producer keeps trying to deliver a message (its dead letters and whatever the
  // service publishes) before it reports a failure.
  absl::Duration delivery_timeout = absl::Seconds(10);
};

// Starts a process's admin HTTP server (metrics::AdminServer: /metrics, /healthz, /readyz) on
// every interface, so that a Prometheus elsewhere can scrape it, at `port` (0: a free one), and
// logs `admin listening on 0.0.0.0:<port> (port <n>): /metrics /healthz /readyz`. The first step
// of ServiceApp::Create and of a process built otherwise (review-gateway), so that an
// orchestrator sees it alive (and, through `handlers.ready`, not ready) while it connects.
// Unavailable when it cannot listen.
absl::StatusOr<std::unique_ptr<metrics::AdminServer>> StartAdminServer(
    int64_t port, metrics::AdminHandlers handlers);

// A running service process of any shape: the adapters it asks for (Redis, Postgres, a Kafka
// producer; each optional), its domain built on them, N consume loops (one thread each, each with
// its own group, topics, batch options, handler and dead letters) and components beside them (a
// gRPC server, a periodic job), with a stats line per loop and per component and one shutdown
// order. A service's app.cc creates one (CreateApp); main and the service's tests run it.
class ServiceApp {
 public:
  using DomainFactory = std::function<std::unique_ptr<ServiceDomain>(const Adapters&)>;

  // Starts the admin HTTP server on config.admin_port first (/healthz answers from then on;
  // /readyz says "starting" until Run has started the components and the loops), then connects
  // Redis, then Postgres (as `options.adapters` asks), then checks that a Kafka broker
  // answers within startup_timeout_ms and creates the producer, builds the domain with
  // `make_domain` and subscribes one Kafka consumer per loop. Fails fast with Unavailable when an
  // adapter is unreachable, InvalidArgument when a loop has no handler or its settings are
  // invalid. Consumes nothing and starts no component until Run. `config` must be valid
  // (ValidateServiceConfig and the service's own checks).
  static absl::StatusOr<std::unique_ptr<ServiceApp>> Create(const ServiceConfig& config,
                                                            const ServiceAppOptions& options,
                                                            const DomainFactory& make_domain);
  ~ServiceApp();
  ServiceApp(const ServiceApp&) = delete;
  ServiceApp& operator=(const ServiceApp&) = delete;

  // Starts the components, then every consume loop (from then on /readyz is 200 while the
  // producer, if any, is healthy; 503 "draining" from the moment shutdown begins) on its own
  // thread, and logs a stats line per loop and component every stats_interval_s, until `stop()`
  // returns true or a loop fails fatally (which stops the others). `stop` is called from every
  // loop's thread and from the calling thread, so it must be thread-safe. Then shuts down in order:
  // the components are told (Component::PrepareStop, in reverse order) while every loop finishes
  // its batch in flight, the producer is flushed, the consumers are closed (leaving their groups),
  // the components are stopped in reverse order. The domain and the stores close when the
  // ServiceApp is destroyed. Returns a component's Start error or the first fatal loop error. Call
  // once.
  absl::Status Run(const std::function<bool()>& stop);

  // The first of the domain's components that is a `T`, or null: for tests and runners that ask
  // a running component something (the port a GrpcComponent bound). Thread-safe; the pointer is
  // valid as long as the ServiceApp.
  // The port the admin server listens on (config.admin_port, or the one picked for 0).
  int admin_port() const;

  // The registry the scaffold and the domain record in (tests read its exposition).
  metrics::PrometheusRegistry& metrics() { return *metrics_; }

  template <typename T>
  T* FindComponent() const {
    for (Component* c : components_) {
      if (auto* found = dynamic_cast<T*>(c); found != nullptr) return found;
    }
    return nullptr;
  }

 private:
  struct Loop;
  ServiceApp();
  void ReportStats(absl::Duration elapsed);
  absl::Status Readiness() const;
  void ExposeLoopStats(const Loop& loop);

  enum class Phase { kStarting, kRunning, kDraining };

  ServiceConfig config_;
  // Declaration order is construction order; destruction runs backwards, so the domain goes
  // before the adapters it borrows, and the stores close last. The admin server, which reads
  // the domain's metrics callbacks, is stopped first of all (in the destructor).
  std::unique_ptr<metrics::PrometheusRegistry> metrics_;
  std::atomic<Phase> phase_{Phase::kStarting};
  std::unique_ptr<metrics::AdminServer> admin_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<pg::Pool> pg_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<ServiceDomain> domain_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<Component*> components_;
};

}  // namespace candor::service
