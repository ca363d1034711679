#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libs/redis/async_client.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/stack_env.h"

namespace candor::redis {
namespace {

absl::StatusOr<Reply> Wait(AsyncClient& c, std::vector<std::string> args) {
  std::promise<absl::StatusOr<Reply>> p;
  c.Command(std::move(args), [&p](absl::StatusOr<Reply> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(AsyncClientTest, ManyConcurrentCommandsAllAnsweredInOrderPerCaller) {
  auto client = AsyncClient::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  std::string key = "async:" + testing::UniqueUser();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::promise<void>> done(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        (*client)->Command({"INCR", key}, [&, i](absl::StatusOr<Reply> r) {
          if (r.ok() && r->type == Reply::Type::kInteger) ok.fetch_add(1);
          done[i].set_value();
        });
      }
      for (auto& d : done) d.get_future().wait();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  auto total = Wait(**client, {"GET", key});
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->str, std::to_string(kThreads * kPerThread));
  Wait(**client, {"DEL", key}).IgnoreError();
}

TEST(AsyncClientTest, ScriptFallsBackToEvalAndErrorsAreInternal) {
  auto client = AsyncClient::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(client.ok());
  // A script no other test loads: the first call takes the NOSCRIPT -> EVAL path.
  Script s(absl::StrCat("return {KEYS[1], ARGV[1], '", testing::UniqueUser(), "'}"));
  std::promise<absl::StatusOr<Reply>> p;
  (*client)->Eval(s, {"k"}, {"v"}, [&p](absl::StatusOr<Reply> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->elements.size(), 3u);
  EXPECT_EQ(r->elements[0].str, "k");
  EXPECT_EQ(r->elements[1].str, "v");
  auto bad = Wait(**client, {"NOSUCHCOMMAND"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  // The connection stays usable after an error reply.
  EXPECT_TRUE(Wait(**client, {"PING"}).ok());
}

TEST(AsyncClientTest, UnreachableFailsAtConnect) {
  EXPECT_EQ(AsyncClient::Connect("127.0.0.1:1", 1, absl::Milliseconds(300)).status().code(),
            absl::StatusCode::kUnavailable);
}

// Answers to a flood of commands: how many, how they failed, and how long the slowest waited from
// Command to its callback.
class Flood {
 public:
  // Sends `n` PINGs through `client` as fast as it takes them.
  Flood(AsyncClient& client, int n) : n_(n) {
    for (int i = 0; i < n; ++i) {
      auto sent = std::chrono::steady_clock::now();
      // Whether Command has returned yet, and whether the answer came before it did. On the heap:
      // the callback may run on an I/O thread long after this iteration ends.
      auto call = std::make_shared<std::pair<bool, bool>>(false, false);
      client.Command({"PING"}, [this, sent, call](absl::StatusOr<Reply> r) {
        auto waited = std::chrono::steady_clock::now() - sent;
        std::lock_guard lock(mu_);
        if (!call->first) call->second = true;
        if (r.status().code() == absl::StatusCode::kUnavailable) {
          ++tally_.unavailable;
          if (r.status().message().find("queue full") != absl::string_view::npos) {
            ++tally_.queue_full;
          }
        }
        tally_.slowest = std::max(tally_.slowest, absl::FromChrono(waited));
        if (++answered_ == n_) all_answered_.Notify();
      });
      std::lock_guard lock(mu_);
      call->first = true;
      if (call->second) ++tally_.answered_inline;
    }
  }
  // Waits for every answer; false when some are still missing after `limit`.
  bool Wait(absl::Duration limit) { return all_answered_.WaitForNotificationWithTimeout(limit); }

  // The answers so far.
  struct Tally {
    int unavailable = 0;
    int queue_full = 0;       // of those unavailable, refused with "queue full"
    int answered_inline = 0;  // answered before Command returned (refused at once)
    absl::Duration slowest;   // the longest wait from Command to its callback
  };
  Tally tally() const {
    std::lock_guard lock(mu_);
    return tally_;
  }

 private:
  const int n_;
  mutable std::mutex mu_;
  int answered_ = 0;
  Tally tally_;
  absl::Notification all_answered_;
};

// Polls PING until Redis answers (after a thaw or restart); false when it does not within `limit`.
bool AnswersAgainWithin(AsyncClient& client, absl::Duration limit) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (Wait(client, {"PING"}).ok()) return true;
  }
  return false;
}

// A SIGSTOPped Redis still accepts connections (the kernel does) but never answers: the blackhole
// the client must not queue behind. Every command fails Unavailable within about its own timeout,
// however many batches are queued ahead of it, and the client answers again after SIGCONT.
TEST(AsyncClientTest, FrozenRedisFailsEveryCommandWithinItsTimeoutAndRecovers) {
  testing::RedisServer server;
  constexpr absl::Duration kTimeout = absl::Milliseconds(300);
  auto client = AsyncClient::Connect(server.address(), 1, kTimeout);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(Wait(**client, {"PING"}).ok());
  server.Freeze();
  // Far more than one batch: without per-command deadlines each queued batch waits out its own
  // timeout after those ahead of it.
  for (int round = 0; round < 3; ++round) {
    Flood flood(**client, 2000);
    ASSERT_TRUE(flood.Wait(absl::Seconds(10))) << "round " << round;
    const Flood::Tally answers = flood.tally();
    EXPECT_EQ(answers.unavailable, 2000) << "round " << round;
    EXPECT_LE(answers.slowest, kTimeout + absl::Milliseconds(400)) << "round " << round;
  }
  server.Thaw();
  EXPECT_TRUE(AnswersAgainWithin(**client, absl::Seconds(5)));
}

// The queue is bounded: with Redis frozen, a flood far larger than the bound is refused at once
// ("redis request queue full (N)", before Command returns) beyond the bound and the batches in
// flight, the queue never holds more than the bound, however long the flood goes on, and every
// command is answered within its timeout. After SIGCONT the client answers again.
TEST(AsyncClientTest, QueueIsBoundedWhileRedisIsFrozen) {
  testing::RedisServer server;
  AsyncClientOptions options;
  options.connections = 2;
  options.timeout = absl::Milliseconds(300);
  options.max_queued = 100;
  auto client = AsyncClient::Connect(server.address(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  server.Freeze();
  constexpr int kFlood = 5000;
  // Each I/O thread may hold one batch (at most 256 commands) in a round trip besides the queue.
  constexpr int kMostAccepted = 100 + 2 * 256;
  for (int round = 0; round < 5; ++round) {
    Flood flood(**client, kFlood);
    EXPECT_LE((*client)->queued(), options.max_queued) << "round " << round;
    ASSERT_TRUE(flood.Wait(absl::Seconds(10))) << "round " << round;
    const Flood::Tally answers = flood.tally();
    EXPECT_EQ(answers.unavailable, kFlood) << "round " << round;
    EXPECT_GE(answers.queue_full, kFlood - kMostAccepted) << "round " << round;
    EXPECT_EQ(answers.answered_inline, answers.queue_full) << "round " << round;
    EXPECT_LE(answers.slowest, options.timeout + absl::Milliseconds(400)) << "round " << round;
  }
  EXPECT_EQ((*client)->queued(), 0u);
  server.Thaw();
  EXPECT_TRUE(AnswersAgainWithin(**client, absl::Seconds(5)));
}

TEST(AsyncClientTest, BadOptionsAreInvalidArgument) {
  AsyncClientOptions options;
  options.max_queued = 0;
  EXPECT_EQ(AsyncClient::Connect(testing::RedisAddr(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Construction and destruction never hang, with nothing pending, with commands in flight, and
// with commands queued behind a frozen Redis (the destructor wakes every I/O thread under its
// lock, so none can miss the wake-up and sleep forever).
TEST(AsyncClientTest, DestructorNeverHangs) {
  for (int i = 0; i < 300; ++i) {
    auto client = AsyncClient::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
    ASSERT_TRUE(client.ok()) << client.status();
    if (i % 3 == 1) {
      for (int j = 0; j < 50; ++j) (*client)->Command({"PING"}, [](absl::StatusOr<Reply>) {});
    }
  }
  testing::RedisServer server;
  for (int i = 0; i < 5; ++i) {
    auto client = AsyncClient::Connect(server.address(), 2, absl::Milliseconds(200));
    ASSERT_TRUE(client.ok()) << client.status();
    server.Freeze();
    std::atomic<int> answered{0};
    for (int j = 0; j < 500; ++j) {
      (*client)->Command({"PING"}, [&answered](absl::StatusOr<Reply>) { answered.fetch_add(1); });
    }
    client->reset();
    EXPECT_EQ(answered.load(), 500) << "the destructor answers whatever is still queued";
    server.Thaw();
  }
}

}  // namespace
}  // namespace candor::redis
