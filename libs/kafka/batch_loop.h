#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka.h"

namespace candor::kafka {

// A message the handler can never apply (cannot decode, fails validation), with the reason.
struct Poison {
  size_t index = 0;  // position in the batch
  std::string reason;
};

// What a consumer service plugs into RunBatchLoop: the domain step for one batch.
class BatchHandler {
 public:
  virtual ~BatchHandler() = default;
  // Applies every good message of `batch` durably and idempotently, and lists the poison ones
  // in `poison` (they go to the dead-letter topic). A non-OK status means a transient failure:
  // nothing is committed and the same batch is handed in again after a backoff, so Handle must be
  // safe to repeat.
  virtual absl::Status Handle(const std::vector<Message>& batch, std::vector<Poison>* poison) = 0;
};

struct BatchLoopOptions {
  size_t max_batch = 500;
  absl::Duration poll_wait = absl::Milliseconds(20);
  // How long a batch stays open for more messages after its first (Consumer::PollBatch).
  absl::Duration linger = absl::ZeroDuration();
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration dlq_timeout = absl::Seconds(10);
};

// Counters a service exposes in its logs. Updated by the loop thread, readable from any thread.
struct BatchLoopStats {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> messages{0};
  std::atomic<int64_t> poisoned{0};
  std::atomic<int64_t> retries{0};
};

// The consume loop every consumer service shares (style.md, Kafka consumers): poll a batch,
// Handle it, send poison to `<topic>.dlq`, then commit the offsets, in that order, so an offset
// is committed only after its effects and its dead letters are durable. Transient failures are
// retried with exponential backoff without committing. Returns when `stop()` is true (checked
// between batches and during backoff) or on a fatal consumer error. The batch in flight when
// stop is requested is finished or, if still failing, left uncommitted for redelivery.
absl::Status RunBatchLoop(Consumer& consumer, Producer& dead_letters, BatchHandler& handler,
                          const BatchLoopOptions& options, const std::function<bool()>& stop,
                          BatchLoopStats* stats);

}  // namespace candor::kafka
