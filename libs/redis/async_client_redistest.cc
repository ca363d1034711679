#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/redis/async_client.h"
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

}  // namespace
}  // namespace candor::redis
