#pragma once

#include <functional>

namespace candor::gateway {

// Port: somewhere to run blocking work (a Postgres query) away from gRPC callback threads and
// Redis I/O threads. Bounded: TrySubmit refuses instead of queueing without limit, so the caller
// can answer at once (UNAVAILABLE) and the backlog, and with it latency, stays capped.
// Implementations are thread-safe.
class Executor {
 public:
  virtual ~Executor() = default;
  // Queues `task` to run once on another thread; returns false, without running or keeping
  // `task`, when the queue is full or the executor is stopping.
  virtual bool TrySubmit(std::function<void()> task) = 0;
};

}  // namespace candor::gateway
