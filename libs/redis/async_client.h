#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/metrics/metrics.h"
#include "libs/redis/redis_client.h"

namespace candor::redis {

// How an AsyncClient connects and how much it lets wait.
struct AsyncClientOptions {
  // Connections, each with its own I/O thread; at least 1.
  int connections = 1;
  // A command's whole budget, from Command to its callback: queueing, dialling, the round trip.
  absl::Duration timeout = absl::Seconds(2);
  // Commands that may wait to be sent, across all connections; more are refused at once.
  size_t max_queued = 10000;
  // Where every command is recorded (metrics::StoreCallMetrics "redis", op as CommandLabel;
  // the latency is the command's whole, queueing included). Borrowed; null: nowhere.
  metrics::Registry* metrics = nullptr;
};

// A non-blocking Redis client for request paths (the gateway's gRPC callbacks must not block on
// I/O). Each connection has one I/O thread; callers enqueue commands and get the reply in a
// callback. Whatever queued up while the previous round trip was in flight is written in one go
// and its replies read back in order, so under load many requests share one round trip
// (pipelining) without callers doing anything.
//
// Every command is answered within about its timeout, counted from Command: one that waited
// longer than that in the queue is failed without being sent, and a round trip is given only
// what is left of the budget of the oldest command in its batch, so a Redis that accepts
// connections but never answers (paused, hung) costs each caller one timeout, not one per batch
// queued ahead of it. After a failed round trip or dial the connection is re-dialled with
// exponential backoff (not in a tight loop against a dead server); commands keep queueing
// meanwhile, up to max_queued in total, and time out as above.
//
// Callbacks run on an I/O thread, or on the caller's thread when the command is refused at once
// (queue full, shutting down): keep them short and never block in them. Thread-safe.
// Errors: Unavailable when Redis cannot be reached or does not answer within the timeout (the
// connection is re-dialled for a later batch), when the queue is full ("redis request queue
// full (N)") and during shutdown; Internal for an error reply.
class AsyncClient {
 public:
  using Callback = std::function<void(absl::StatusOr<Reply>)>;

  // `address` is "host:port". Dials every connection once so a bad address or a down server
  // fails startup (Unavailable; InvalidArgument for a malformed address or options).
  static absl::StatusOr<std::unique_ptr<AsyncClient>> Connect(const std::string& address,
                                                              const AsyncClientOptions& options);
  // Connect with `connections` and `timeout`, the other options at their defaults.
  static absl::StatusOr<std::unique_ptr<AsyncClient>> Connect(const std::string& address,
                                                              int connections,
                                                              absl::Duration timeout);
  // Stops the I/O threads (waiting for a round trip in flight, at most one timeout); commands
  // still queued get Unavailable. No Command may run concurrently with or after it.
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  void Command(std::vector<std::string> args, Callback done);

  // EVALSHA; on NOSCRIPT (a restarted or flushed Redis) falls back to EVAL once.
  void Eval(const Script& script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args, Callback done);

  // Commands waiting to be sent, across all connections (not those in a round trip). For tests
  // and stats; may be stale by the time it returns.
  size_t queued() const { return queued_.load(); }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Pending {
    std::vector<std::string> args;
    Callback done;
    SteadyTime deadline;
  };
  struct Connection {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Pending> queue;  // guarded by mu, as is stopping
    bool stopping = false;
    // Owned by the I/O thread (and by Connect / the destructor while it is not running).
    redisContext* ctx = nullptr;
    SteadyTime redial_at{};                // no dial before this (backoff)
    std::chrono::milliseconds backoff{0};  // the next failure's wait; 0 after a good round trip
    std::thread thread;
  };

  AsyncClient(std::string host, int port, const AsyncClientOptions& options)
      : host_(std::move(host)),
        port_(port),
        options_(options),
        metrics_(options.metrics != nullptr
                     ? std::make_unique<metrics::StoreCallMetrics>(*options.metrics, "redis")
                     : nullptr) {}
  absl::Status Dial(Connection& c, absl::Duration connect_timeout);
  void Loop(Connection& c);
  // Sends `batch` on `c` and answers every command in it; false when the connection broke.
  bool RoundTrip(Connection& c, std::vector<Pending>& batch);
  void Broken(Connection& c);

  std::string host_;
  int port_;
  AsyncClientOptions options_;
  std::unique_ptr<metrics::StoreCallMetrics> metrics_;  // with options_.metrics
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<uint64_t> next_{0};
  std::atomic<size_t> queued_{0};
};

}  // namespace candor::redis
