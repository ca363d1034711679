#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/redis/redis_client.h"
#include "libs/testing/hang_up_server.h"
#include "libs/testing/stack_env.h"

namespace candor::redis {
namespace {

TEST(RedisClientTest, CommandsAndScripts) {
  auto client = Client::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
  ASSERT_TRUE(client.ok()) << client.status();
  std::string key = "test:" + testing::UniqueUser();
  ASSERT_TRUE((*client)->Command({"SET", key, std::string("a\0b", 3)}).ok());
  auto got = (*client)->Command({"GET", key});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, std::string("a\0b", 3));  // binary-safe
  auto missing = (*client)->Command({"GET", key + ":none"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->type, Reply::Type::kNil);

  Script incr_by("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  std::string counter = key + ":n";
  auto first = (*client)->Eval(incr_by, {counter}, {"5"});  // NOSCRIPT -> EVAL path
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = (*client)->Eval(incr_by, {counter}, {"2"});  // cached EVALSHA path
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->integer, 7);

  auto bad = (*client)->Command({"INCR", key});  // not an integer
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  (*client)->Command({"DEL", key, counter}).IgnoreError();
}

TEST(RedisClientTest, UnreachableIsUnavailable) {
  auto client = Client::Connect("127.0.0.1:1", 1, absl::Milliseconds(300));
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Client::Connect("nonsense", 1, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseHostPortTest, SplitsAtTheLastColon) {
  absl::StatusOr<HostPort> a = ParseHostPort("127.0.0.1:6379");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  EXPECT_EQ(ParseHostPort("::1:7000")->host, "::1");
  for (const char* bad : {"nonsense", "host:", "host:port", ":"}) {
    EXPECT_EQ(std::string(ParseHostPort(bad).status().message()),
              absl::StrCat("redis address '", bad, "' is not host:port"));
  }
}

std::unique_ptr<Client> ConnectOrDie() {
  auto client = Client::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

TEST(RedisClientPipelineTest, RepliesComeBackInOrderAndErrorsStayPerCommand) {
  auto client = ConnectOrDie();
  ASSERT_NE(client, nullptr);
  const std::string key = "test:pipe:" + testing::UniqueUser();
  const std::string list = key + ":list";
  auto replies = client->Pipeline({{"SET", key, std::string("x\0y", 3)},
                                   {"GET", key},
                                   {"INCR", key},  // not an integer: an error reply
                                   {"GET", key + ":none"},
                                   {"RPUSH", list, "a"},
                                   {"RPUSH", list, "b"},
                                   {"LRANGE", list, "0", "-1"},
                                   {"DEL", key, list}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 8u);
  ASSERT_TRUE((*replies)[0].ok());
  EXPECT_EQ((*replies)[0]->type, Reply::Type::kStatus);
  ASSERT_TRUE((*replies)[1].ok());
  EXPECT_EQ((*replies)[1]->str, std::string("x\0y", 3));  // binary-safe
  EXPECT_EQ((*replies)[2].status().code(), absl::StatusCode::kInternal);
  ASSERT_TRUE((*replies)[3].ok()) << "an error must not spoil the commands after it";
  EXPECT_EQ((*replies)[3]->type, Reply::Type::kNil);
  ASSERT_TRUE((*replies)[6].ok());
  ASSERT_EQ((*replies)[6]->elements.size(), 2u);
  EXPECT_EQ((*replies)[6]->elements[0].str, "a");
  EXPECT_EQ((*replies)[6]->elements[1].str, "b");
  ASSERT_TRUE((*replies)[7].ok());
  EXPECT_EQ((*replies)[7]->integer, 2);
  // The connection goes back to the pool in a clean state: a plain command after it works.
  auto pong = client->Command({"PING"});
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->str, "PONG");
}

TEST(RedisClientPipelineTest, ThousandsOfCommandsInOneCall) {
  auto client = ConnectOrDie();
  ASSERT_NE(client, nullptr);
  const std::string key = "test:pipe:" + testing::UniqueUser();
  // About 1 MB each way, more than the socket buffers hold: hiredis writes all of it before it
  // reads, which works because Redis queues the replies of a normal client without a limit.
  const std::string pad(200, 'p');
  std::vector<std::vector<std::string>> commands;
  commands.reserve(5000);
  for (int i = 0; i < 5000; ++i) {
    commands.push_back({"EVAL", "return redis.call('INCR', KEYS[1])", "1", key, pad});
  }
  auto replies = client->Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE((*replies)[i].ok()) << i;
    ASSERT_EQ((*replies)[i]->integer, i + 1) << "reply " << i << " out of order";
  }
  client->Command({"DEL", key}).IgnoreError();
}

TEST(RedisClientPipelineTest, EmptyPipelineAndEmptyCommand) {
  auto client = ConnectOrDie();
  ASSERT_NE(client, nullptr);
  auto none = client->Pipeline({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(client->Pipeline({{"PING"}, {}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(client->Command({"PING"}).ok());
}

TEST(RedisClientPipelineTest, EvalPipelineLoadsTheScriptOnceAndKeepsOrder) {
  auto client = ConnectOrDie();
  ASSERT_NE(client, nullptr);
  const std::string key = "test:pipe:" + testing::UniqueUser();
  // A source no other test uses, so the first call really finds the script cache without it.
  Script append("-- " + key + "\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
  std::vector<ScriptCall> calls;
  calls.reserve(50);
  for (int i = 0; i < 50; ++i) calls.push_back({{key}, {std::to_string(i)}});
  auto first = client->EvalPipeline(append, calls);  // NOSCRIPT -> EVAL path
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 50u);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE((*first)[i].ok()) << (*first)[i].status();
    EXPECT_EQ((*first)[i]->integer, i + 1);
  }
  auto second = client->EvalPipeline(append, calls);  // cached EVALSHA path
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)[49]->integer, 100);
  auto items = client->Command({"LRANGE", key, "0", "-1"});
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->elements.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(items->elements[i].str, std::to_string(i % 50));

  // A call that fails inside the script fails alone.
  Script incr("-- " + key + ":incr\nreturn redis.call('INCR', KEYS[1])");
  auto mixed = client->EvalPipeline(incr, {{{key + ":n"}, {}}, {{key}, {}}, {{key + ":n"}, {}}});
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ((*mixed)[0]->integer, 1);
  EXPECT_EQ((*mixed)[1].status().code(), absl::StatusCode::kInternal);  // a list is no counter
  EXPECT_EQ((*mixed)[2]->integer, 2);
  client->Command({"DEL", key, key + ":n"}).IgnoreError();
}

using testing::HangUpServer;

TEST(RedisClientPipelineTest, ABrokenConnectionFailsTheWholePipeline) {
  HangUpServer server;
  auto client = Client::Connect(server.address(), 1, absl::Milliseconds(500));
  ASSERT_TRUE(client.ok()) << client.status();
  auto replies = (*client)->Pipeline({{"PING"}, {"PING"}});
  EXPECT_EQ(replies.status().code(), absl::StatusCode::kUnavailable);
  // The dead connection was dropped; the next call dials again, and the server answers one
  // command and hangs up, so the second reply never comes.
  auto again = (*client)->EvalPipeline(Script("return 1"), {{{}, {}}, {{}, {}}});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::redis
