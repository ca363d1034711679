#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "services/review-gateway/executor.h"

namespace candor::gateway {

// A fixed set of threads taking tasks from one FIFO queue that holds at most `max_queued` tasks
// not yet started (running ones do not count). TrySubmit never blocks. Tasks must not throw.
// Thread-safe. The destructor stops taking tasks, lets the threads finish every task already
// queued, and joins them; so destroy it before what its tasks use.
class BoundedExecutor final : public Executor {
 public:
  // `threads` >= 1 and `max_queued` >= 1 (crashes otherwise: a bug in the caller).
  BoundedExecutor(int threads, size_t max_queued);
  ~BoundedExecutor() override;
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  bool TrySubmit(std::function<void()> task) override;

 private:
  void Loop();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace candor::gateway
