#include "services/review-gateway/bounded_executor.h"

#include <atomic>
#include <future>
#include <set>

#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

TEST(BoundedExecutorTest, RunsTasksOnItsOwnThreads) {
  BoundedExecutor executor(2, 8);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(executor.TrySubmit([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(BoundedExecutorTest, RefusesBeyondTheQueueBoundWithoutBlocking) {
  BoundedExecutor executor(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  // Occupy the only thread, then fill the queue.
  ASSERT_TRUE(executor.TrySubmit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  std::atomic<int> ran{0};
  EXPECT_TRUE(executor.TrySubmit([&] { ++ran; }));
  EXPECT_TRUE(executor.TrySubmit([&] { ++ran; }));
  EXPECT_FALSE(executor.TrySubmit([&] { ++ran; })) << "the queue holds only 2";
  release.set_value();
  // Room again once the thread takes the queued tasks.
  std::promise<void> last;
  while (!executor.TrySubmit([&] { last.set_value(); })) std::this_thread::yield();
  last.get_future().wait();
  EXPECT_EQ(ran.load(), 2);
}

TEST(BoundedExecutorTest, DestructorRunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  int accepted = 0;
  {
    BoundedExecutor executor(2, 64);
    for (int i = 0; i < 64; ++i) {
      if (executor.TrySubmit([&] {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            ++ran;
          })) {
        ++accepted;
      }
    }
  }
  EXPECT_EQ(ran.load(), accepted);
  EXPECT_EQ(accepted, 64) << "the queue holds all 64";
}

TEST(BoundedExecutorTest, UsesEveryThread) {
  constexpr int kThreads = 3;
  BoundedExecutor executor(kThreads, 16);
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::promise<void> all_in;
  std::shared_future<void> go = all_in.get_future().share();
  std::vector<std::promise<void>> done(kThreads);
  // Each task waits until all of them have started, so they must be on different threads.
  std::atomic<int> started{0};
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&, i] {
      {
        std::lock_guard lock(mu);
        seen.insert(std::this_thread::get_id());
      }
      if (++started == kThreads) all_in.set_value();
      go.wait();
      done[i].set_value();
    }));
  }
  for (auto& d : done) d.get_future().wait();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads));
}

}  // namespace
}  // namespace candor::gateway
