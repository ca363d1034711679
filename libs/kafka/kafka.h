#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::kafka {

// Settings shared by producers and consumers. `extra` holds raw librdkafka properties
// ("linger.ms" -> "1") applied last, for tuning without code changes.
struct ClientOptions {
  std::string brokers;
  std::string client_id = "candor";
  std::map<std::string, std::string> extra;
};

// Called once per message when Kafka confirms it (OK) or gives up. A failure is Unavailable or
// Internal when the message is certainly not stored, and DeadlineExceeded when it may be (a
// request timed out in flight: the broker may have appended it and only the reply was lost).
// Runs on the producer's delivery thread: keep it short and never block.
using DeliveryCallback = std::function<void(absl::Status)>;

// Record headers, name -> value.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The first fatal error of a producer, written by librdkafka's error callback.
struct ProducerFatal {
  mutable std::mutex mu;
  absl::Status status;
};

// An idempotent producer with acks=all (design.md 3.3). Thread-safe: any thread may Produce.
// A background thread serves delivery reports. Destruction flushes for up to 10 s.
class Producer {
 public:
  // `delivery_timeout` bounds how long librdkafka tries before reporting a message as failed.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const ClientOptions& options,
                                                          absl::Duration delivery_timeout);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues a message; `done` is called exactly once with the outcome. Returns an error (and
  // does not call `done`) when the message cannot even be enqueued (queue full, unknown topic).
  // `headers` are attached as Kafka record headers.
  absl::Status Produce(const std::string& topic, std::string_view key, std::string_view value,
                       DeliveryCallback done, const Headers& headers = {});

  // Produces and waits for the delivery report, at most `timeout`. Unavailable on timeout.
  absl::Status ProduceSync(const std::string& topic, std::string_view key, std::string_view value,
                           absl::Duration timeout, const Headers& headers = {});

  // Produces every (key, value) of `messages` to `topic` at once, then waits for all their
  // delivery reports, at most `timeout` (InfiniteDuration: until the producer's delivery timeout
  // has reported each). OK only when every message was confirmed; else Unavailable naming how
  // many of them were not confirmed in time, could not be enqueued, or failed (with the first
  // failure). A stop at the first enqueue error still waits for what is already in flight.
  absl::Status ProduceAll(const std::string& topic,
                          const std::vector<std::pair<std::string, std::string>>& messages,
                          absl::Duration timeout);

  // Waits until every enqueued message is confirmed or failed. Unavailable on timeout.
  absl::Status Flush(absl::Duration timeout);

  // OK while the producer can deliver; Internal naming the error once librdkafka reported a
  // fatal error (e.g. the idempotent producer's sequence state is lost). Fatal is for good: the
  // owner should stop serving and be restarted. Any thread.
  absl::Status Health() const;

  // Makes librdkafka raise a fatal error as a broker could (tests only).
  void SimulateFatalErrorForTesting(std::string_view reason);

 private:
  Producer(rd_kafka_t* rk, std::unique_ptr<ProducerFatal> fatal);
  void PollLoop();

  rd_kafka_t* rk_;
  // The error callback's opaque: on the heap at a fixed address from before rd_kafka_new.
  std::unique_ptr<ProducerFatal> fatal_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

// One consumed record, copied out of librdkafka so it outlives the poll.
struct Message {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  absl::Time timestamp;
  Headers headers;  // in the order the producer added them
};

// A consumer-group member with manual commits: offsets are committed only by Commit(), after
// the caller has durably applied the batch (design.md 3.4-3.5). Not thread-safe: one thread.
// Watches the offsets a consumer delivers for gaps. Our producers are idempotent and not
// transactional and no topic is compacted, so offsets within a partition are consecutive: a jump
// forward means messages were deleted (retention) before the consumer read them. A jump back is
// a redelivery and is fine. The consumer seeds each newly assigned partition with the group's
// committed offset and forgets everything when partitions are revoked (another member may move
// them on meanwhile). Not thread-safe.
class OffsetContinuity {
 public:
  // Records `offset` as delivered; returns how many offsets were skipped just before it. Without
  // a seed, the first offset of a partition is its baseline.
  int64_t Observe(const std::string& topic, int32_t partition, int64_t offset);
  // The next offset expected on (topic, partition), e.g. the committed one.
  void Seed(const std::string& topic, int32_t partition, int64_t next_offset);
  // Forgets every partition (on a rebalance) and counts the rebalance.
  void Reset() {
    last_.clear();
    ++resets_;
  }
  int64_t skipped() const { return skipped_; }
  int64_t resets() const { return resets_; }
  // The next offset expected on (topic, partition): after the last one delivered, or the seed;
  // -1 when neither is known.
  int64_t Next(const std::string& topic, int32_t partition) const;

 private:
  std::map<std::pair<std::string, int32_t>, int64_t> last_;
  int64_t skipped_ = 0;
  int64_t resets_ = 0;
};

class Consumer {
 public:
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(const ClientOptions& options,
                                                          const std::string& group_id,
                                                          const std::vector<std::string>& topics);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Returns up to `max_messages`, waiting at most `wait` for the first, then up to `linger`
  // after the first for more (zero: only what is already buffered). Lingering trades a little
  // latency for larger batches when traffic is moderate, so the per-batch costs (a transaction, a
  // round trip) are shared by more messages. Empty on timeout. Partition EOF and transient broker
  // errors are not errors; a fatal consumer error is Internal. Every message of a batch comes from
  // one assignment: when a rebalance happens during the call, the messages polled before it are
  // dropped (uncommitted, so whoever owns their partitions now gets them again).
  absl::StatusOr<std::vector<Message>> PollBatch(size_t max_messages, absl::Duration wait,
                                                 absl::Duration linger = absl::ZeroDuration());

  // Commits, per partition, the offset after the last message of `batch`. Synchronous.
  absl::Status Commit(const std::vector<Message>& batch);

  // Leaves the group cleanly (triggers a rebalance so others take the partitions at once).
  void Close();

  // Counts the rebalances (partitions revoked or assigned) this consumer went through; they
  // happen only inside PollBatch. A batch may be committed only while this is what it was when
  // the batch was polled: after a change, its partitions may be another member's.
  int64_t generation() const { return continuity_->resets(); }

  // Messages this consumer never received because the broker had already deleted them when it
  // asked (it fell behind retention: auto.offset.reset moved it to the oldest message kept).
  // Each gap is also logged as an error naming the partition and the offsets. Read it from the
  // polling thread.
  int64_t skipped() const { return continuity_->skipped(); }

  // The group and the topics it was created with.
  const std::string& group() const { return group_; }
  const std::vector<std::string>& topics() const { return topics_; }

  // Per subscribed topic, how many messages the broker holds past this member's position,
  // summed over the partitions assigned to it (0 for a topic none of whose partitions it has):
  // the partitions' high watermarks as the last fetch responses reported them (no broker round
  // trip) less the next offset this member will hand out (after the last message delivered, or
  // the committed offset it started from). A partition whose watermark or position is not yet
  // known is left out. Read it from the polling thread.
  std::vector<std::pair<std::string, int64_t>> Lag() const;

 private:
  Consumer(rd_kafka_t* rk, std::unique_ptr<OffsetContinuity> continuity, std::string group,
           std::vector<std::string> topics)
      : rk_(rk),
        continuity_(std::move(continuity)),
        group_(std::move(group)),
        topics_(std::move(topics)) {}

  rd_kafka_t* rk_;
  bool closed_ = false;
  // Also the rebalance callback's opaque (it runs inside rd_kafka_consumer_poll, on the polling
  // thread), so it lives on the heap at a fixed address from before rd_kafka_new.
  std::unique_ptr<OffsetContinuity> continuity_;
  std::string group_;
  std::vector<std::string> topics_;
};

// Asks the cluster for its broker list, so a service can fail fast at startup when Kafka is not
// reachable (librdkafka itself connects lazily and would retry forever). Unavailable when no
// broker answers within `timeout`.
absl::Status CheckBrokers(const ClientOptions& options, absl::Duration timeout);

// Sends `message` (same key and value) to `<topic>.dlq` with headers `dlq-reason` and
// `dlq-origin` (topic/partition/offset), then `extra_headers`, and waits for the confirmation,
// so a poison message is never committed before it is safe somewhere (style.md, Kafka).
// Unavailable (or the delivery error) when it is not confirmed within `timeout`.
absl::Status SendToDeadLetter(Producer& producer, const Message& message, std::string_view reason,
                              absl::Duration timeout, const Headers& extra_headers = {});

}  // namespace candor::kafka
