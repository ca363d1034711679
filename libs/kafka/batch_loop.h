#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka.h"
#include "libs/metrics/metrics.h"

namespace candor::kafka {

// A message the handler can never apply (cannot decode, fails validation), with the reason.
struct Poison {
  size_t index = 0;  // position in the batch
  std::string reason;
};

// True for a failure that repeating the same input will not cure: InvalidArgument (the value
// itself is refused, e.g. Postgres SQLSTATE class 22), FailedPrecondition (it conflicts with what
// is stored, e.g. a constraint, class 23) and OutOfRange. Every other code is transient: the
// environment (Unavailable, Aborted, DeadlineExceeded, ResourceExhausted) or unknown (Internal,
// Unknown...), which RunBatchLoop also retries without bound rather than risk dead-lettering a
// whole topic over a schema or permission mistake. Pure function.
bool IsDeterministicFailure(const absl::Status& status);

// What a consumer service plugs into RunBatchLoop: the domain step for one batch.
class BatchHandler {
 public:
  virtual ~BatchHandler() = default;
  // Applies every good message of `batch` durably and idempotently, and lists the poison ones
  // (found before applying: cannot decode, fails validation) in `poison`; they go to the
  // dead-letter topic. A non-OK status means nothing of the batch was applied but what is safe to
  // repeat, and the batch (or part of it) is handed in again, so Handle must be safe to repeat.
  // The code says what kind of failure it is (IsDeterministicFailure): a deterministic one makes
  // RunBatchLoop look for the message that fails on its own by handing in smaller batches.
  virtual absl::Status Handle(const std::vector<Message>& batch, std::vector<Poison>* poison) = 0;
};

// Message `index` of a batch (its bytes) decoded with `decode`: the value, or nullopt after listing
// the message in `poison` with the decoder's message as the reason. For a handler that reads
// several topics and picks the decoder per message; DecodeBatch is this over a whole batch.
template <typename T, typename Decode>
std::optional<T> DecodeOrPoison(const Decode& decode, std::string_view bytes, size_t index,
                                std::vector<Poison>* poison) {
  absl::StatusOr<T> item = decode(bytes);
  if (!item.ok()) {
    poison->push_back({index, std::string(item.status().message())});
    return std::nullopt;
  }
  return *std::move(item);
}

// Decodes every message of `batch` with `decode`, in offset order; those it refuses are listed in
// `poison` with the decoder's message as the reason. The shared first step of DecodingHandler and
// StagedDecodingHandler.
template <typename T, typename Decode>
std::vector<T> DecodeBatch(const Decode& decode, const std::vector<Message>& batch,
                           std::vector<Poison>* poison) {
  std::vector<T> decoded;
  decoded.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    std::optional<T> item = DecodeOrPoison<T>(decode, batch[i].value, i, poison);
    if (item.has_value()) decoded.push_back(*std::move(item));
  }
  return decoded;
}

// The BatchHandler of a topic whose every message decodes on its own to one T (a libs/events
// decoder, perhaps followed by a pure mapping): decodes each message of a batch with `decode`,
// lists the ones it refuses as poison (the decoder's message is the reason, so it should name the
// field), and hands the rest, in offset order, to `apply` as one batch, returning its status
// unchanged: its code tells RunBatchLoop the kind of failure. `decode` must be pure and `apply`
// idempotent, as Handle must be. Not thread-safe (RunBatchLoop calls it from its one thread);
// whatever the two functions capture is borrowed.
template <typename T>
class DecodingHandler final : public BatchHandler {
 public:
  using Decode = std::function<absl::StatusOr<T>(std::string_view bytes)>;
  using Apply = std::function<absl::Status(const std::vector<T>& decoded)>;

  DecodingHandler(Decode decode, Apply apply)
      : decode_(std::move(decode)), apply_(std::move(apply)) {}

  absl::Status Handle(const std::vector<Message>& batch, std::vector<Poison>* poison) override {
    return apply_(DecodeBatch<T>(decode_, batch, poison));
  }

 private:
  Decode decode_;
  Apply apply_;
};

// A BatchHandler whose work has two stages, so that RunBatchLoop can overlap them across
// batches: while batch N is in Apply (on a second thread), batch N+1 is polled and Prepared (on
// the loop's thread). A batch then costs its slower stage instead of the sum of both.
// - Prepare: decode, list the poison, and whatever must happen in offset order before the
//   durable effects but commits nothing that redelivery could not repeat (fraud-scorer: scoring,
//   which records the behaviour windows idempotently per review).
// - Apply: the durable effects, as BatchHandler::Handle's apply part; the same contract (a
//   non-OK status means nothing was applied but what is safe to repeat; the code is the kind of
//   failure). Apply may be called again with the same prepared batch after a failure.
// Prepare (of N+1) and Apply (of N) run at the same time on two threads; never two Prepares or two
// Applies at once, and batches are prepared and applied in offset order. Handle = Prepare +
// Apply, which RunBatchLoop uses when it splits a failing batch.
class StagedBatchHandler : public BatchHandler {
 public:
  // What Prepare hands to Apply; the handler's own type.
  class Prepared {
   public:
    virtual ~Prepared() = default;
  };

  // Prepares every good message of `batch` and lists the poison ones (as Handle does). An error
  // is treated as a failed Handle (RunBatchLoop retries or splits the batch).
  virtual absl::StatusOr<std::unique_ptr<Prepared>> Prepare(const std::vector<Message>& batch,
                                                            std::vector<Poison>* poison) = 0;
  virtual absl::Status Apply(Prepared& prepared) = 0;

  absl::Status Handle(const std::vector<Message>& batch, std::vector<Poison>* poison) final {
    absl::StatusOr<std::unique_ptr<Prepared>> prepared = Prepare(batch, poison);
    if (!prepared.ok()) return prepared.status();
    return Apply(**prepared);
  }
};

// DecodingHandler in two stages: decodes as DecodingHandler does, hands the decoded batch to
// `prepare` (its result P is kept for Apply) and then P to `apply`. `decode` must be pure,
// `prepare` safe to repeat (a batch can be prepared again after a failure) and `apply`
// idempotent. `prepare` and `apply` run on two threads at once (StagedBatchHandler); whatever the
// functions capture is borrowed.
template <typename T, typename P>
class StagedDecodingHandler final : public StagedBatchHandler {
 public:
  using Decode = std::function<absl::StatusOr<T>(std::string_view bytes)>;
  using PrepareFn = std::function<P(const std::vector<T>& decoded)>;
  using ApplyFn = std::function<absl::Status(const P& prepared)>;

  StagedDecodingHandler(Decode decode, PrepareFn prepare, ApplyFn apply)
      : decode_(std::move(decode)), prepare_(std::move(prepare)), apply_(std::move(apply)) {}

  absl::StatusOr<std::unique_ptr<Prepared>> Prepare(const std::vector<Message>& batch,
                                                    std::vector<Poison>* poison) override {
    return std::make_unique<Holder>(prepare_(DecodeBatch<T>(decode_, batch, poison)));
  }
  absl::Status Apply(Prepared& prepared) override {
    return apply_(static_cast<Holder&>(prepared).value);
  }

 private:
  struct Holder final : Prepared {
    explicit Holder(P v) : value(std::move(v)) {}
    P value;
  };

  Decode decode_;
  PrepareFn prepare_;
  ApplyFn apply_;
};

struct BatchLoopOptions {
  size_t max_batch = 500;
  absl::Duration poll_wait = absl::Milliseconds(20);
  // How long a batch stays open for more messages after its first (Consumer::PollBatch).
  absl::Duration linger = absl::ZeroDuration();
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration dlq_timeout = absl::Seconds(10);
  // How many times a message that fails deterministically on its own is handed in before it
  // goes to the dead-letter topic (at least 1). Transient failures are retried without bound.
  int max_apply_attempts = 3;
  // Where the loop records, labelled with the consumer's group (and topic):
  //   candor_kafka_consumer_lag_messages{group, topic}   gauge (Consumer::Lag, every lag_interval)
  //   candor_kafka_consumer_batch_size{group}            histogram of messages per batch
  //   candor_kafka_consumer_batch_apply_seconds{group}   histogram: a batch's apply, retries and
  //                                                      dead letters included, to its commit
  //   candor_kafka_consumer_skipped_messages_total{group} offsets skipped (Consumer::skipped)
  // Borrowed; null: nothing is recorded. The loop's counts (BatchLoopStats) are exposed by
  // whoever owns the stats (libs/service).
  metrics::Registry* metrics = nullptr;
  absl::Duration lag_interval = absl::Milliseconds(500);
};

// Counters a service exposes in its logs. Updated by the loop thread, readable from any thread.
struct BatchLoopStats {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> messages{0};
  std::atomic<int64_t> poisoned{0};       // reported by the handler, dead-lettered
  std::atomic<int64_t> dead_lettered{0};  // failed max_apply_attempts times alone, dead-lettered
  std::atomic<int64_t> retries{0};        // failed Handle calls, transient or not
  std::atomic<int64_t> splits{0};         // batches split to isolate a deterministic failure
};

// The consume loop every consumer service shares (style.md, Kafka consumers): poll a batch,
// Handle it, send poison to `<topic>.dlq`, then commit the offsets, in that order, so an offset
// is committed only after its effects and its dead letters are durable.
// Failures (IsDeterministicFailure tells which kind):
// - transient: the same batch is retried with exponential backoff (initial_backoff doubling up
//   to max_backoff), without bound and logged each time, without committing;
// - deterministic: a batch of several messages is split in halves, each handed in on its own (in
//   offset order), recursively, so that the good messages are applied and only a message that
//   fails alone is isolated; that one is tried max_apply_attempts times with backoff, then sent to
//   `<topic>.dlq` with headers `dlq-reason` (the status) and `dlq-attempts`, and the partition
//   moves on. A batch that succeeds costs exactly one Handle call.
// Returns when `stop()` is true (checked between batches and during backoff) or on a fatal
// consumer error. The batch in flight when stop is requested is finished or, if still failing,
// left uncommitted for redelivery (parts already applied are applied again: Handle is
// idempotent).
//
// A StagedBatchHandler is run as a two-stage pipeline: batch N+1 is polled and prepared on the
// calling thread while batch N is applied on a second one, then N is committed, then N+1 is
// applied. Everything above still holds per batch, in offset order: N is committed only after
// it is applied and its dead letters are confirmed, and before N+1 is applied. When N's Apply
// fails, N is retried with the same prepared batch (transient) or split (deterministic; the
// halves are prepared again) before N+1 goes on. A batch is committed only if the consumer's
// assignment did not change since it was polled (Consumer::generation): after a rebalance its
// partitions may belong to another member, so it is left for redelivery instead. On stop the
// batch in Apply is finished and committed; one prepared and not applied is left uncommitted.
absl::Status RunBatchLoop(Consumer& consumer, Producer& dead_letters, BatchHandler& handler,
                          const BatchLoopOptions& options, const std::function<bool()>& stop,
                          BatchLoopStats* stats);

}  // namespace candor::kafka
