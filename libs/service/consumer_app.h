#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/batch_loop.h"
#include "libs/kafka/kafka.h"
#include "libs/service/consumer_config.h"

namespace candor::pg {
class Pool;
}
namespace candor::redis {
class Client;
}

namespace candor::service {

// The adapters every consumer service connects at startup, lent to the domain it builds on them.
// ConsumerApp owns them and destroys them after the domain.
struct ConsumerAdapters {
  redis::Client& redis;
  pg::Pool& pg;
  kafka::Producer& producer;  // dead letters, and whatever the service publishes itself
};

// The domain side of a consumer service: the objects its composition root (app.cc) builds on
// ConsumerAdapters, and the batch handler they end in. Owned by ConsumerApp.
class ConsumerDomain {
 public:
  virtual ~ConsumerDomain() = default;
  // The step the consume loop hands every batch to; called from the thread that runs Run.
  virtual kafka::BatchHandler& handler() = 0;
  // The service's counters for the periodic stats line ("counted=12 uncounted=0 ..."), printed
  // after the consume loop's own. Called from the reporter thread.
  virtual std::string StatsLine() const = 0;
};

// What differs between consumer services in how ConsumerApp connects and reports.
struct ConsumerAppOptions {
  std::string client_id;  // Kafka client.id, e.g. "candor-fraud-scorer"
  // How long the producer keeps trying to deliver a message (its dead letters and whatever the
  // service publishes) before it reports a failure.
  absl::Duration delivery_timeout = absl::Seconds(10);
  // Appended to the startup line "consuming <topic> as group <group>".
  std::string startup_details{};
};

// A running Kafka consumer service: the adapters every one of them shares (Redis, Postgres, a
// Kafka producer and a consumer subscribed to the input topic), the service's domain built on
// them, and the consume loop with its periodic stats line and its shutdown order. A service's
// app.cc creates one (CreateApp); main and the service's integration test run it.
class ConsumerApp {
 public:
  using DomainFactory = std::function<std::unique_ptr<ConsumerDomain>(const ConsumerAdapters&)>;

  // Connects Redis, Postgres and Kafka, in that order, and fails fast (Unavailable) when one is
  // unreachable (Kafka: no broker answers within startup_timeout_ms); then builds the domain with
  // `make_domain`. Subscribes, but consumes nothing until Run. `config` must already be valid
  // (ValidateConsumerConfig and the service's own checks).
  static absl::StatusOr<std::unique_ptr<ConsumerApp>> Create(const ConsumerConfig& config,
                                                             const ConsumerAppOptions& options,
                                                             const DomainFactory& make_domain);
  ~ConsumerApp();
  ConsumerApp(const ConsumerApp&) = delete;
  ConsumerApp& operator=(const ConsumerApp&) = delete;

  // Consumes until `stop()` returns true (checked between batches), logging a stats line every
  // stats_interval_s, then shuts down in order. Returns an error only on a fatal consumer error.
  // Call once.
  absl::Status Run(const std::function<bool()>& stop);

 private:
  ConsumerApp() = default;

  ConsumerConfig config_;
  std::string startup_details_;
  // Declaration order is construction order; destruction runs backwards, so the domain goes
  // before the adapters it borrows, and the stores close last.
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<pg::Pool> pg_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<ConsumerDomain> domain_;
  kafka::BatchLoopStats loop_stats_;
};

}  // namespace candor::service
