#pragma once

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/fraud-scorer/config.h"

namespace candor::fraud_scorer {

// The composition root of candor-fraud-scorer (style.md, Wiring): the only place that builds the
// adapters (Redis, Postgres, Kafka) and hands them to the domain. Used by main and by the
// service's integration test alike.
class App {
 public:
  // Validates `config`, connects to Redis, Postgres and Kafka and fails fast (Unavailable,
  // InvalidArgument) when one is unreachable or the config is bad. Subscribes, but consumes
  // nothing until Run.
  static absl::StatusOr<std::unique_ptr<App>> Create(const Config& config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Consumes until `stop()` returns true (checked between batches), then shuts down in order.
  // Returns an error only on a fatal consumer error. Call once.
  absl::Status Run(const std::function<bool()>& stop);

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace candor::fraud_scorer
