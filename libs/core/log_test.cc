#include "libs/core/log.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/ostream_sink.h"

namespace candor::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RedactSecretsTest, MasksPasswordsAndTokens) {
  EXPECT_EQ(RedactSecrets("connect postgresql://app:s3cret@db:5432/candor failed"),
            "connect postgresql://app:***@db:5432/candor failed");
  EXPECT_EQ(RedactSecrets("dsn 'host=db user=app password=s3cret dbname=candor'"),
            "dsn 'host=db user=app password=*** dbname=candor'");
  EXPECT_EQ(RedactSecrets("authorization: Bearer eyJhbGciOi.eyJzdWIi.sig rejected"),
            "authorization: Bearer *** rejected");
  EXPECT_EQ(RedactSecrets("redis://:pw@127.0.0.1:6379"), "redis://:***@127.0.0.1:6379");
  // Nothing secret: unchanged, user names and hosts included.
  EXPECT_EQ(RedactSecrets("postgresql://postgres@127.0.0.1:5440/candor"),
            "postgresql://postgres@127.0.0.1:5440/candor");
  EXPECT_EQ(RedactSecrets("consuming review-events as group g"),
            "consuming review-events as group g");
}

TEST(LogFormatterTest, JsonLinesCarryServiceLevelContextAndNoSecrets) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(MakeLogFormatter("fraud-scorer", "json"));
  spdlog::logger logger("test", sink);
  {
    LogContext batch("batch", "review-submissions[0]@10-19");
    logger.warn("retrying \"{}\"\n postgresql://app:pw@db/candor", "x");
  }
  logger.info("after");
  std::istringstream lines(out.str());
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  const nlohmann::json a = nlohmann::json::parse(first);
  EXPECT_EQ(a["level"], "warning");
  EXPECT_EQ(a["service"], "fraud-scorer");
  EXPECT_EQ(a["message"], "retrying \"x\"\n postgresql://app:***@db/candor");
  EXPECT_EQ(a["batch"], "review-submissions[0]@10-19");
  EXPECT_TRUE(a["time"].get<std::string>().ends_with("Z"));
  const nlohmann::json b = nlohmann::json::parse(second);
  EXPECT_EQ(b["message"], "after");
  EXPECT_FALSE(b.contains("batch"));
}

TEST(LogFormatterTest, TextLinesAreRedactedToo) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(MakeLogFormatter("review-gateway", "text"));
  spdlog::logger logger("test", sink);
  logger.info("dsn postgresql://app:pw@db/candor");
  EXPECT_THAT(out.str(), HasSubstr(" I review-gateway dsn postgresql://app:***@db/candor\n"));
  EXPECT_THAT(out.str(), Not(HasSubstr("pw@")));
}

TEST(LogFormatterTest, FormatIsValidated) {
  EXPECT_TRUE(ValidateLogFormat("json").ok());
  EXPECT_TRUE(ValidateLogFormat("text").ok());
  EXPECT_EQ(ValidateLogFormat("xml").message(), "--log-format: unknown format 'xml' (text, json)");
}

}  // namespace
}  // namespace candor::core
