#include "gtest/gtest.h"
#include "libs/redis/redis_client.h"
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

}  // namespace
}  // namespace candor::redis
