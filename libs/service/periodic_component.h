#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/core/periodic_reporter.h"
#include "libs/service/component.h"

namespace candor::service {

// What a PeriodicComponent runs and how often.
struct PeriodicOptions {
  std::string name;         // for its stats line and ServiceApp's logs ("rating-healer")
  absl::Duration interval;  // between the end of one tick's wait and the next tick
  std::function<void()> tick;
  // Called by Stop before it waits for the thread, to cut a long tick short (optional). Must be
  // safe to call while `tick` runs on the component's thread.
  std::function<void()> cancel{};
  // Its counters for the stats line (optional; empty: no line).
  std::function<std::string()> stats{};
};

// A periodic job hosted as a Component: calls `tick` every `interval` on a thread of its own from
// Start until Stop (rating-aggregator's heal check). `tick` reports its own failures (it runs
// again at the next interval); the first tick comes one interval after Start. Thread safety as
// Component.
class PeriodicComponent final : public Component {
 public:
  explicit PeriodicComponent(PeriodicOptions options) : options_(std::move(options)) {}

  std::string name() const override { return options_.name; }
  absl::Status Start() override;
  // Cancels a running tick (options.cancel) and joins the thread.
  void Stop() override;
  std::string StatsLine() const override;

 private:
  PeriodicOptions options_;
  std::unique_ptr<core::PeriodicReporter> timer_;
};

}  // namespace candor::service
