#include "libs/service/consumer_config.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace candor::service {
namespace {

const ConsumerFlagSpec kSpec = {.env_prefix = "CANDOR_SVCTEST_",
                                .redis_addr_help = "Redis holding the widgets",
                                .input_topic_help = "topic of Widget messages",
                                .max_batch_help = "most widgets per transaction",
                                .redis_timeout_help = "past it a widget waits",
                                .max_batch_limit = 50};

// Registers the shared flags on `config` with kSpec and parses `args`; `usage` gets --help's text.
absl::Status Parse(ConsumerConfig* config, std::vector<std::string> args,
                   std::string* usage = nullptr) {
  core::Flags flags("candor-svctest", "A test service.");
  RegisterConsumerFlags(flags, kSpec, config);
  if (usage != nullptr) *usage = flags.Usage();
  args.insert(args.begin(), "candor-svctest");
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (std::string& a : args) argv.push_back(a.data());
  return flags.Parse(static_cast<int>(argv.size()), argv.data());
}

TEST(ConsumerConfigTest, ServiceDefaultsStayUntilSet) {
  ConsumerConfig config = {.group = "svctest", .input_topic = "widgets", .max_batch = 20};
  std::string usage;
  ASSERT_TRUE(Parse(&config, {}, &usage).ok());
  EXPECT_EQ(config.group, "svctest");
  EXPECT_EQ(config.max_batch, 20);
  EXPECT_NE(usage.find("most widgets per transaction (default: 20)"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--redis-addr VALUE  [$CANDOR_REDIS_ADDR]\n      Redis holding the widgets"),
            std::string::npos)
      << usage;
}

TEST(ConsumerConfigTest, ServiceVariablesCarryThePrefix) {
  setenv("CANDOR_SVCTEST_MAX_BATCH", "7", 1);
  setenv("CANDOR_SVCTEST_GROUP", "from-env", 1);
  ConsumerConfig config;
  ASSERT_TRUE(Parse(&config, {"--group=from-flag"}).ok());
  EXPECT_EQ(config.max_batch, 7);
  EXPECT_EQ(config.group, "from-flag");
  unsetenv("CANDOR_SVCTEST_MAX_BATCH");
  unsetenv("CANDOR_SVCTEST_GROUP");
}

TEST(ConsumerConfigTest, MaxBatchLimitIsTheServicesOwn) {
  ConsumerConfig config;
  EXPECT_TRUE(Parse(&config, {"--max-batch=50"}).ok());
  EXPECT_EQ(Parse(&config, {"--max-batch=51"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConsumerConfigTest, MaxApplyAttemptsIsBoundedAndReadsTheEnvironment) {
  ConsumerConfig config;
  ASSERT_TRUE(Parse(&config, {}).ok());
  EXPECT_EQ(config.max_apply_attempts, 3);
  EXPECT_TRUE(Parse(&config, {"--max-apply-attempts=1"}).ok());
  EXPECT_EQ(config.max_apply_attempts, 1);
  EXPECT_EQ(Parse(&config, {"--max-apply-attempts=0"}).code(), absl::StatusCode::kInvalidArgument);
  setenv("CANDOR_SVCTEST_MAX_APPLY_ATTEMPTS", "7", 1);
  ConsumerConfig from_env;
  ASSERT_TRUE(Parse(&from_env, {}).ok());
  EXPECT_EQ(from_env.max_apply_attempts, 7);
  unsetenv("CANDOR_SVCTEST_MAX_APPLY_ATTEMPTS");
}

TEST(ConsumerConfigTest, ValidateNamesTheFlag) {
  ConsumerConfig config = {.group = "svctest", .input_topic = "widgets"};
  EXPECT_TRUE(ValidateConsumerConfig(config).ok());
  config.input_topic = "";
  absl::Status s = ValidateConsumerConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "--input-topic: must not be empty");
  config.input_topic = "widgets";
  config.log_level = "loud";
  EXPECT_NE(ValidateConsumerConfig(config).message().find("--log-level"), std::string::npos);
}

}  // namespace
}  // namespace candor::service
