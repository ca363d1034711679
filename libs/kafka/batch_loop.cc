#include "libs/kafka/batch_loop.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
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

// Applies one polled batch, isolating what fails deterministically. Counts what it dead-letters
// so that the loop adds it to the stats only once the batch is committed.
class BatchApplier {
 public:
  BatchApplier(Producer& dead_letters, BatchHandler& handler, const BatchLoopOptions& options,
               const std::function<bool()>& stop, BatchLoopStats* stats)
      : dead_letters_(dead_letters),
        handler_(handler),
        options_(options),
        stop_(stop),
        stats_(stats) {}

  // Applies `batch` (not empty): every message is applied, reported poison or dead-lettered
  // after failing alone, with its dead letters confirmed. False when stop() ended it first.
  bool Apply(const std::vector<Message>& batch) {
    absl::Duration backoff = options_.initial_backoff;
    int failed_alone = 0;  // deterministic failures of a batch of one
    while (true) {
      std::vector<Poison> poison;
      absl::Status s = handler_.Handle(batch, &poison);
      for (size_t i = 0; s.ok() && i < poison.size(); ++i) {
        s = SendToDeadLetter(dead_letters_, batch[poison[i].index], poison[i].reason,
                             options_.dlq_timeout, {{"dlq-attempts", "1"}});
      }
      if (s.ok()) {
        poisoned_ += static_cast<int64_t>(poison.size());
        return true;
      }
      stats_->retries.fetch_add(1);
      if (IsDeterministicFailure(s)) {
        if (batch.size() > 1) {
          // Some message fails the batch and would fail it every time: apply the halves on their
          // own, in offset order, until the culprit is alone. No backoff: each half is new input.
          // The good messages cost O(log n) extra transactions, paid only on this path.
          stats_->splits.fetch_add(1);
          spdlog::warn(
              "batch of {} failed deterministically, splitting it to isolate the cause: {}",
              batch.size(), s);
          const auto middle = batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2);
          return Apply(std::vector<Message>(batch.begin(), middle)) &&
                 Apply(std::vector<Message>(middle, batch.end()));
        }
        // Tried again a few times before giving up on it: a constraint can depend on state that
        // another writer is about to change (a row not yet inserted, a lock order).
        if (++failed_alone >= options_.max_apply_attempts) {
          s = SendToDeadLetter(dead_letters_, batch[0], s.ToString(), options_.dlq_timeout,
                               {{"dlq-attempts", absl::StrCat(failed_alone)}});
          if (s.ok()) {
            ++dead_lettered_;
            return true;
          }
          // The dead-letter topic is unavailable: a transient failure like any other; the
          // message is handed in again, fails again and is sent again.
          --failed_alone;
        }
      }
      spdlog::warn("{} of {} at {}[{}]@{} failed, retrying in {}ms: {}",
                   batch.size() == 1 ? "message" : "batch", batch.size(), batch[0].topic,
                   batch[0].partition, batch[0].offset, absl::ToInt64Milliseconds(backoff), s);
      SleepUnlessStopped(backoff, stop_);
      if (stop_()) return false;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }

  int64_t poisoned() const { return poisoned_; }
  int64_t dead_lettered() const { return dead_lettered_; }

 private:
  Producer& dead_letters_;
  BatchHandler& handler_;
  const BatchLoopOptions& options_;
  const std::function<bool()>& stop_;
  BatchLoopStats* stats_;
  int64_t poisoned_ = 0;
  int64_t dead_lettered_ = 0;
};

}  // namespace

bool IsDeterministicFailure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

absl::Status RunBatchLoop(Consumer& consumer, Producer& dead_letters, BatchHandler& handler,
                          const BatchLoopOptions& options, const std::function<bool()>& stop,
                          BatchLoopStats* stats) {
  while (!stop()) {
    absl::StatusOr<std::vector<Message>> batch =
        consumer.PollBatch(options.max_batch, options.poll_wait, options.linger);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) continue;

    BatchApplier applier(dead_letters, handler, options, stop, stats);
    if (!applier.Apply(*batch)) {
      spdlog::warn("stopping with a failed batch uncommitted; it will be redelivered");
      return absl::OkStatus();
    }
    // A failed commit (e.g. the partition moved to another member) only means redelivery,
    // which the idempotent handler absorbs; retrying the commit could spin forever.
    if (absl::Status c = consumer.Commit(*batch); !c.ok()) {
      spdlog::warn("offset commit failed, batch may be redelivered: {}", c);
    }
    stats->batches.fetch_add(1);
    stats->messages.fetch_add(static_cast<int64_t>(batch->size()));
    stats->poisoned.fetch_add(applier.poisoned());
    stats->dead_lettered.fetch_add(applier.dead_lettered());
  }
  return absl::OkStatus();
}

}  // namespace candor::kafka
