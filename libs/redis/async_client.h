#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"

namespace candor::redis {

// A non-blocking Redis client for request paths (the gateway's gRPC callbacks must not block on
// I/O). Each connection has one I/O thread; callers enqueue commands and get the reply in a
// callback. Whatever queued up while the previous round trip was in flight is written in one go
// and its replies read back in order, so under load many requests share one round trip
// (pipelining) without callers doing anything.
//
// Callbacks run on an I/O thread: keep them short and never block in them. Thread-safe.
// Errors: Unavailable when Redis cannot be reached or does not answer within the timeout (the
// connection is re-dialled for the next batch); Internal for an error reply.
class AsyncClient {
 public:
  using Callback = std::function<void(absl::StatusOr<Reply>)>;

  // `address` is "host:port". Dials every connection once so a bad address or a down server
  // fails startup.
  static absl::StatusOr<std::unique_ptr<AsyncClient>> Connect(const std::string& address,
                                                              int connections,
                                                              absl::Duration timeout);
  // Stops the I/O threads; commands still queued get Unavailable.
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  void Command(std::vector<std::string> args, Callback done);

  // EVALSHA; on NOSCRIPT (a restarted or flushed Redis) falls back to EVAL once.
  void Eval(const Script& script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args, Callback done);

 private:
  struct Pending {
    std::vector<std::string> args;
    Callback done;
  };
  struct Connection {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Pending> queue;
    redisContext* ctx = nullptr;
    std::thread thread;
  };

  AsyncClient(std::string host, int port, absl::Duration timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}
  absl::Status Dial(Connection& c);
  void Loop(Connection& c);

  std::string host_;
  int port_;
  absl::Duration timeout_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<uint64_t> next_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace candor::redis
