#include "libs/kafka/batch_loop.h"

#include <algorithm>
#include <thread>

#include "libs/core/log.h"

namespace candor::kafka {
namespace {

// Sleeps up to `d`, waking early when stop() turns true.
void SleepUnlessStopped(absl::Duration d, const std::function<bool()>& stop) {
  absl::Time until = absl::Now() + d;
  while (!stop() && absl::Now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

absl::Status RunBatchLoop(Consumer& consumer, Producer& dead_letters, BatchHandler& handler,
                          const BatchLoopOptions& options, const std::function<bool()>& stop,
                          BatchLoopStats* stats) {
  while (!stop()) {
    absl::StatusOr<std::vector<Message>> batch =
        consumer.PollBatch(options.max_batch, options.poll_wait, options.linger);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) continue;

    absl::Duration backoff = options.initial_backoff;
    while (true) {
      std::vector<Poison> poison;
      absl::Status s = handler.Handle(*batch, &poison);
      for (size_t i = 0; s.ok() && i < poison.size(); ++i) {
        s = SendToDeadLetter(dead_letters, (*batch)[poison[i].index], poison[i].reason,
                             options.dlq_timeout);
      }
      if (s.ok()) {
        // A failed commit (e.g. the partition moved to another member) only means redelivery,
        // which the idempotent handler absorbs; retrying the commit could spin forever.
        if (absl::Status c = consumer.Commit(*batch); !c.ok()) {
          spdlog::warn("offset commit failed, batch may be redelivered: {}", c);
        }
        stats->batches.fetch_add(1);
        stats->messages.fetch_add(static_cast<int64_t>(batch->size()));
        stats->poisoned.fetch_add(static_cast<int64_t>(poison.size()));
        break;
      }
      stats->retries.fetch_add(1);
      spdlog::warn("batch of {} failed, retrying in {}ms: {}", batch->size(),
                   absl::ToInt64Milliseconds(backoff), s);
      SleepUnlessStopped(backoff, stop);
      if (stop()) {
        spdlog::warn("stopping with a failed batch uncommitted; it will be redelivered");
        return absl::OkStatus();
      }
      backoff = std::min(backoff * 2, options.max_backoff);
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::kafka
