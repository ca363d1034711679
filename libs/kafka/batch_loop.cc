#include "libs/kafka/batch_loop.h"

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
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

// The id a batch's log lines carry (core::LogContext "batch"): its first message's topic,
// partition and offset, and how many messages it holds.
std::string BatchId(const std::vector<Message>& batch) {
  return absl::StrCat(batch[0].topic, "[", batch[0].partition, "]@", batch[0].offset, "+",
                      batch.size());
}

// What the loop records in BatchLoopOptions::metrics (the no-op registry without one). Used from
// the loop's thread only.
class LoopMetrics {
 public:
  LoopMetrics(Consumer& consumer, const BatchLoopOptions& options)
      : consumer_(consumer),
        options_(options),
        registry_(options.metrics != nullptr ? *options.metrics : metrics::NoopRegistry()),
        batch_size_(registry_.GetHistogram("candor_kafka_consumer_batch_size",
                                           "Messages per consumed batch", Group(),
                                           metrics::BatchSizeBuckets())),
        apply_(registry_.GetHistogram(
            "candor_kafka_consumer_batch_apply_seconds",
            "Time from a batch's apply to its commit, retries and dead letters included", Group(),
            metrics::LatencyBuckets())),
        skipped_(registry_.GetCounter(
            "candor_kafka_consumer_skipped_messages_total",
            "Offsets skipped because the broker had deleted them (retention) before they were read",
            Group())) {
    for (const std::string& topic : consumer.topics()) {
      lag_.emplace_back(topic,
                        &registry_.GetGauge("candor_kafka_consumer_lag_messages",
                                            "Messages on the broker past this consumer's "
                                            "position, over its assigned partitions",
                                            {{"group", consumer.group()}, {"topic", topic}}));
    }
  }

  // After every poll: the skipped offsets, and the lag every lag_interval.
  void AfterPoll() {
    if (options_.metrics == nullptr) return;
    if (const int64_t skipped = consumer_.skipped(); skipped > skipped_seen_) {
      skipped_.Increment(static_cast<double>(skipped - skipped_seen_));
      skipped_seen_ = skipped;
    }
    const absl::Time now = absl::Now();
    if (now - last_lag_ < options_.lag_interval) return;
    last_lag_ = now;
    for (const auto& [topic, lag] : consumer_.Lag()) {
      for (auto& [name, gauge] : lag_) {
        if (name == topic) gauge->Set(static_cast<double>(lag));
      }
    }
  }

  void Batch(size_t size, absl::Time apply_started) {
    batch_size_.Observe(static_cast<double>(size));
    apply_.Observe(absl::ToDoubleSeconds(absl::Now() - apply_started));
  }

 private:
  metrics::Labels Group() const { return {{"group", consumer_.group()}}; }

  Consumer& consumer_;
  const BatchLoopOptions& options_;
  metrics::Registry& registry_;
  metrics::Histogram& batch_size_;
  metrics::Histogram& apply_;
  metrics::Counter& skipped_;
  std::vector<std::pair<std::string, metrics::Gauge*>> lag_;
  int64_t skipped_seen_ = 0;
  absl::Time last_lag_ = absl::InfinitePast();
};

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

  // One attempt at the whole batch: applies it and lists its poison, as BatchHandler::Handle.
  using Attempt = std::function<absl::Status(std::vector<Poison>* poison)>;

  // Applies `batch` (not empty): every message is applied, reported poison or dead-lettered
  // after failing alone, with its dead letters confirmed. False when stop() ended it first.
  // `attempt`, when given, is tried (and retried) on the whole batch instead of Handle; the
  // halves of a split always go to Handle.
  bool Apply(const std::vector<Message>& batch, const Attempt* attempt = nullptr) {
    absl::Duration backoff = options_.initial_backoff;
    int failed_alone = 0;  // deterministic failures of a batch of one
    while (true) {
      std::vector<Poison> poison;
      absl::Status s = attempt != nullptr ? (*attempt)(&poison) : handler_.Handle(batch, &poison);
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

// Counts a committed batch (or one left for redelivery after a rebalance) in the stats.
void CountBatch(const std::vector<Message>& batch, const BatchApplier& applier,
                BatchLoopStats* stats) {
  stats->batches.fetch_add(1);
  stats->messages.fetch_add(static_cast<int64_t>(batch.size()));
  stats->poisoned.fetch_add(applier.poisoned());
  stats->dead_lettered.fetch_add(applier.dead_lettered());
}

// Commits `batch`. A failed commit (e.g. the partition moved to another member) only means
// redelivery, which the idempotent handler absorbs; retrying the commit could spin forever.
void CommitOrWarn(Consumer& consumer, const std::vector<Message>& batch) {
  if (absl::Status c = consumer.Commit(batch); !c.ok()) {
    spdlog::warn("offset commit failed, batch may be redelivered: {}", c);
  }
}

// A batch of the pipeline: prepared, and being applied on the second thread.
struct InFlight {
  std::vector<Message> batch;
  int64_t generation = 0;  // the consumer's when it was polled
  std::unique_ptr<StagedBatchHandler::Prepared> prepared;
  std::vector<Poison> poison;
  std::future<absl::Status> applied;
  absl::Time apply_started;
};

// RunBatchLoop for a StagedBatchHandler (see batch_loop.h): Apply of batch N on a second thread
// (std::async) while N+1 is polled and prepared here.
absl::Status RunPipelined(Consumer& consumer, Producer& dead_letters, StagedBatchHandler& handler,
                          const BatchLoopOptions& options, const std::function<bool()>& stop,
                          BatchLoopStats* stats) {
  LoopMetrics metrics(consumer, options);
  std::optional<InFlight> in_flight;
  // Waits for the batch in flight; once it is applied (retried or split here if its Apply
  // failed) and its dead letters are confirmed, commits it. False when stop() ended it first:
  // it is left uncommitted.
  auto finish = [&]() -> bool {
    std::optional<InFlight> taken;
    taken.swap(in_flight);  // in_flight is empty from here, whatever happens
    InFlight& f = *taken;
    const core::LogContext log_batch("batch", BatchId(f.batch));
    bool first = true;
    absl::Status worker_status = f.applied.get();
    // The worker's outcome first; then, on a failure, Apply again on the same prepared batch:
    // scoring it again would see what the batch prepared meanwhile added.
    BatchApplier::Attempt attempt = [&](std::vector<Poison>* poison) {
      *poison = f.poison;
      if (first) {
        first = false;
        return worker_status;
      }
      return handler.Apply(*f.prepared);
    };
    BatchApplier applier(dead_letters, handler, options, stop, stats);
    if (!applier.Apply(f.batch, &attempt)) return false;
    if (consumer.generation() == f.generation) {
      CommitOrWarn(consumer, f.batch);
    } else {
      spdlog::info(
          "kafka: partitions reassigned while a batch of {} was applied; not committing it "
          "(redelivered to their owner, applied again idempotently)",
          f.batch.size());
    }
    CountBatch(f.batch, applier, stats);
    metrics.Batch(f.batch.size(), f.apply_started);
    return true;
  };
  auto stopped_uncommitted = [] {
    spdlog::warn("stopping with a failed batch uncommitted; it will be redelivered");
    return absl::OkStatus();
  };

  while (!stop()) {
    absl::StatusOr<std::vector<Message>> batch =
        consumer.PollBatch(options.max_batch, options.poll_wait, options.linger);
    metrics.AfterPoll();
    if (!batch.ok()) {
      if (in_flight.has_value()) in_flight->applied.wait();  // it borrows the handler
      return batch.status();
    }
    if (batch->empty()) {
      // Nothing new to overlap with: finish the batch in flight now rather than hold its
      // commit until the next message arrives.
      if (in_flight.has_value() && !finish()) return stopped_uncommitted();
      continue;
    }
    InFlight next;
    next.generation = consumer.generation();
    next.batch = *std::move(batch);
    // Prepared while the batch in flight is applied.
    absl::StatusOr<std::unique_ptr<StagedBatchHandler::Prepared>> prepared =
        handler.Prepare(next.batch, &next.poison);
    if (in_flight.has_value() && !finish()) return stopped_uncommitted();
    if (!prepared.ok()) {
      // As a failed Handle: the synchronous path retries or splits it.
      const absl::Time started = absl::Now();
      const core::LogContext log_batch("batch", BatchId(next.batch));
      BatchApplier applier(dead_letters, handler, options, stop, stats);
      stats->retries.fetch_add(1);
      spdlog::warn("preparing a batch of {} failed, applying it alone: {}", next.batch.size(),
                   prepared.status());
      if (!applier.Apply(next.batch)) return stopped_uncommitted();
      CommitOrWarn(consumer, next.batch);
      CountBatch(next.batch, applier, stats);
      metrics.Batch(next.batch.size(), started);
      continue;
    }
    next.prepared = *std::move(prepared);
    StagedBatchHandler::Prepared* p = next.prepared.get();
    next.apply_started = absl::Now();
    next.applied = std::async(std::launch::async, [&handler, p, id = BatchId(next.batch)] {
      const core::LogContext log_batch("batch", id);
      return handler.Apply(*p);
    });
    in_flight = std::move(next);
  }
  // Stopping: the batch in flight is finished and committed, as the synchronous loop finishes
  // its batch.
  if (in_flight.has_value() && !finish()) return stopped_uncommitted();
  return absl::OkStatus();
}

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
  if (auto* staged = dynamic_cast<StagedBatchHandler*>(&handler); staged != nullptr) {
    return RunPipelined(consumer, dead_letters, *staged, options, stop, stats);
  }
  LoopMetrics metrics(consumer, options);
  while (!stop()) {
    absl::StatusOr<std::vector<Message>> batch =
        consumer.PollBatch(options.max_batch, options.poll_wait, options.linger);
    metrics.AfterPoll();
    if (!batch.ok()) return batch.status();
    if (batch->empty()) continue;

    const absl::Time started = absl::Now();
    const core::LogContext log_batch("batch", BatchId(*batch));
    BatchApplier applier(dead_letters, handler, options, stop, stats);
    if (!applier.Apply(*batch)) {
      spdlog::warn("stopping with a failed batch uncommitted; it will be redelivered");
      return absl::OkStatus();
    }
    CommitOrWarn(consumer, *batch);
    CountBatch(*batch, applier, stats);
    metrics.Batch(batch->size(), started);
  }
  return absl::OkStatus();
}

}  // namespace candor::kafka
