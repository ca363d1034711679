#include "libs/service/service_config.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/service/flags_testing.h"
#include "libs/service/reconcile_config.h"

namespace candor::service {
namespace {

const ServiceFlagSpec kSpec = {.env_prefix = "CANDOR_SVCTEST_",
                               .adapters = {.redis = true, .postgres = true},
                               .redis_addr_help = "Redis holding the widgets",
                               .redis_timeout_help = "past it a widget waits"};
const ConsumerFlagSpec kConsumerSpec = {.input_topic_help = "topic of Widget messages",
                                        .max_batch_help = "most widgets per transaction",
                                        .max_batch_limit = 50};

// Registers the shared flags on `config` (and `service`, with `spec`) and parses `args`; `usage`
// gets --help's text.
absl::Status Parse(ConsumerConfig* config, std::vector<std::string> args,
                   std::string* usage = nullptr, ServiceConfig* service = nullptr,
                   const ServiceFlagSpec& spec = kSpec, std::vector<ConsumerFlags> more = {}) {
  ServiceConfig own;
  core::Flags flags("candor-svctest", "A test service.");
  more.insert(more.begin(), {kConsumerSpec, config});
  RegisterServiceFlags(flags, spec, service != nullptr ? service : &own, more);
  if (usage != nullptr) *usage = flags.Usage();
  return ParseArgsForTest(flags, std::move(args));
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
  config.input_topic = "widgets,gadgets,widgets";
  EXPECT_EQ(ValidateConsumerConfig(config, "votes").message(),
            "--votes-input-topic: names a topic twice (widgets,gadgets,widgets)");
  ServiceConfig service;
  service.log_level = "loud";
  EXPECT_NE(ValidateServiceConfig(service, {}).message().find("--log-level"), std::string::npos);
}

TEST(ConsumerConfigTest, InputTopicTakesSeveralTopics) {
  ConsumerConfig config;
  ASSERT_TRUE(Parse(&config, {"--input-topic=helpful-votes,review-events"}).ok());
  EXPECT_EQ(InputTopics(config), (std::vector<std::string>{"helpful-votes", "review-events"}));
}

// A service without Redis has no Redis flags and no Redis check; one with two loops sets the
// second apart by its name.
TEST(ServiceConfigTest, FlagsFollowTheAdaptersAndTheLoops) {
  ConsumerConfig main_loop = {.group = "ranker"};
  ConsumerConfig votes = {.group = "ranker-votes", .input_topic = "helpful-votes"};
  ServiceConfig service;
  std::string usage;
  setenv("CANDOR_SVCTEST_HELPFUL_VOTES_MAX_BATCH", "9", 1);
  ASSERT_TRUE(Parse(&main_loop, {"--helpful-votes-group=g2"}, &usage, &service,
                    {.env_prefix = "CANDOR_SVCTEST_", .adapters = {.postgres = true}},
                    {{{.name = "helpful-votes", .input_topic_help = "votes"}, &votes}})
                  .ok())
      << usage;
  unsetenv("CANDOR_SVCTEST_HELPFUL_VOTES_MAX_BATCH");
  EXPECT_EQ(votes.group, "g2");
  EXPECT_EQ(votes.max_batch, 9);
  EXPECT_EQ(usage.find("redis"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--pg-dsn"), std::string::npos) << usage;
  EXPECT_NE(
      usage.find("--helpful-votes-input-topic VALUE  [$CANDOR_SVCTEST_HELPFUL_VOTES_INPUT_TOPIC]"),
      std::string::npos)
      << usage;
  service.redis_addr = "";
  EXPECT_TRUE(ValidateServiceConfig(service, {.postgres = true}).ok());
  EXPECT_EQ(ValidateServiceConfig(service, {.redis = true}).message(),
            "--redis-addr: must not be empty");
}

TEST(ReconcileConfigTest, FlagsKeepTheServicesDefaultsAndRepairIsOptional) {
  ReconcileConfig with_repair = {.page = 1000};
  core::Flags flags("candor-svctest", "A test service.");
  RegisterReconcileFlags(flags, {.check_help = "compare widgets", .repair_help = "fix widgets"},
                         &with_repair);
  EXPECT_NE(flags.Usage().find("(default: 1000)"), std::string::npos) << flags.Usage();
  EXPECT_NE(flags.Usage().find("\n  --repair\n      fix widgets"), std::string::npos)
      << flags.Usage();
  ASSERT_TRUE(ParseArgsForTest(flags, {"--repair", "--settle-ms=0"}).ok());
  EXPECT_TRUE(with_repair.requested());
  EXPECT_TRUE(with_repair.repair);
  EXPECT_FALSE(with_repair.check);
  EXPECT_EQ(with_repair.settle_ms, 0);
  EXPECT_EQ(with_repair.page, 1000);

  ReconcileConfig check_only;
  core::Flags other("candor-svctest", "A test service.");
  RegisterReconcileFlags(other, {.check_help = "compare widgets"}, &check_only);
  EXPECT_EQ(other.Usage().find("\n  --repair\n"), std::string::npos) << other.Usage();
  EXPECT_FALSE(ParseArgsForTest(other, {"--repair"}).ok());
  EXPECT_FALSE(check_only.requested());
  EXPECT_FALSE(ParseArgsForTest(other, {"--page=0"}).ok());

  ReconcileConfig both = {.check = true, .repair = true};
  EXPECT_EQ(ValidateReconcileConfig(both).message(), "--check and --repair: one at a time");
  EXPECT_TRUE(ValidateReconcileConfig(with_repair).ok());
}

}  // namespace
}  // namespace candor::service
