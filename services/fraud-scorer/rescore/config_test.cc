#include "services/fraud-scorer/rescore/config.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::fraud_scorer::rescore {
namespace {

using ::testing::HasSubstr;

// Parses `args` (without the program name) into a Config.
Config Parse(std::vector<std::string> args) {
  Config config;
  core::Flags flags("candor-fraud-rescore", "test");
  RegisterFlags(flags, &config);
  args.insert(args.begin(), "candor-fraud-rescore");
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (std::string& a : args) argv.push_back(a.data());
  EXPECT_TRUE(flags.Parse(static_cast<int>(argv.size()), argv.data()).ok());
  return config;
}

TEST(ConfigTest, DefaultsAreTheServicesModelSettings) {
  const Config c = Parse({"--unscored"});
  const fraud_scorer::Config service;
  EXPECT_TRUE(c.model == service.model);
  EXPECT_FALSE(c.apply);
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(ConfigTest, SelectionFromFlags) {
  absl::StatusOr<reviewdb::RescoreSelection> s = SelectionOf(
      Parse({"--from", "2026-12-01", "--to=2026-12-01T08:30:00+01:00", "--asin", "B00004Y2UT"}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->unscored_only);
  EXPECT_EQ(*s->from, absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone()));
  EXPECT_EQ(*s->to, absl::FromCivil(absl::CivilSecond(2026, 12, 1, 7, 30, 0), absl::UTCTimeZone()));
  EXPECT_EQ(s->asin, "B00004Y2UT");
  s = SelectionOf(Parse({"--unscored", "--to", "2026-12-02"}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->unscored_only);
  EXPECT_FALSE(s->from.has_value());
}

TEST(ConfigTest, RefusesWhatIsNotASelection) {
  auto error = [](std::vector<std::string> args) {
    return std::string(ValidateConfig(Parse(std::move(args))).message());
  };
  EXPECT_THAT(error({}), HasSubstr("nothing selected"));
  EXPECT_THAT(error({"--asin", "B00004Y2UT"}), HasSubstr("nothing selected"));
  EXPECT_THAT(error({"--from", "yesterday"}), HasSubstr("--from: 'yesterday' is not"));
  EXPECT_THAT(error({"--from", "2026-12-02", "--to", "2026-12-01"}),
              HasSubstr("--from must be before --to"));
  EXPECT_THAT(error({"--unscored", "--asin", "b0"}), HasSubstr("--asin"));
  EXPECT_THAT(error({"--unscored", "--queue-threshold", "0.8", "--reject-threshold", "0.5"}),
              HasSubstr("--queue-threshold"));
  EXPECT_THAT(error({"--unscored", "--apply", "--output-topic", ""}), HasSubstr("--output-topic"));
}

}  // namespace
}  // namespace candor::fraud_scorer::rescore
