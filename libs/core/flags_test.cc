#include "libs/core/flags.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "libs/core/log.h"

namespace candor::core {
namespace {

struct Settings {
  std::string addr = "127.0.0.1:1";
  int64_t threads = 4;
  double ratio = 0.5;
  bool verbose = false;
};

Flags Make(Settings& s) {
  Flags f("prog", "A test program.");
  f.AddString("addr", "CANDOR_TEST_ADDR", &s.addr, "where");
  f.AddInt("threads", "", &s.threads, "how many", 1, 64);
  f.AddDouble("ratio", "", &s.ratio, "share", 0.0, 1.0);
  f.AddBool("verbose", "", &s.verbose, "talk");
  return f;
}

TEST(FlagsTest, DefaultsEnvAndFlagsInOrder) {
  Settings s;
  setenv("CANDOR_TEST_ADDR", "from-env", 1);
  Flags f = Make(s);
  char a0[] = "prog", a1[] = "--threads=8", a2[] = "--verbose", a3[] = "file.json";
  char* argv[] = {a0, a1, a2, a3};
  ASSERT_TRUE(f.Parse(4, argv).ok());
  EXPECT_EQ(s.addr, "from-env");
  EXPECT_EQ(s.threads, 8);
  EXPECT_TRUE(s.verbose);
  ASSERT_EQ(f.positional().size(), 1u);
  EXPECT_EQ(f.positional()[0], "file.json");
  unsetenv("CANDOR_TEST_ADDR");
}

TEST(FlagsTest, FlagBeatsEnv) {
  Settings s;
  setenv("CANDOR_TEST_ADDR", "from-env", 1);
  Flags f = Make(s);
  char a0[] = "prog", a1[] = "--addr", a2[] = "from-flag";
  char* argv[] = {a0, a1, a2};
  ASSERT_TRUE(f.Parse(3, argv).ok());
  EXPECT_EQ(s.addr, "from-flag");
  unsetenv("CANDOR_TEST_ADDR");
}

TEST(FlagsTest, RejectsUnknownAndOutOfRange) {
  Settings s;
  Flags f = Make(s);
  char a0[] = "prog", a1[] = "--nope=1";
  char* argv[] = {a0, a1};
  absl::Status st = f.Parse(2, argv);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--nope"), std::string::npos);

  Flags g = Make(s);
  char b1[] = "--threads=0";
  char* argv2[] = {a0, b1};
  st = g.Parse(2, argv2);
  EXPECT_NE(st.message().find("--threads"), std::string::npos);

  Flags h = Make(s);
  char c1[] = "--ratio=abc";
  char* argv3[] = {a0, c1};
  EXPECT_FALSE(h.Parse(2, argv3).ok());
}

TEST(FlagsTest, HelpListsEveryFlagWithEnv) {
  Settings s;
  Flags f = Make(s);
  char a0[] = "prog", a1[] = "--help";
  char* argv[] = {a0, a1};
  ASSERT_TRUE(f.Parse(2, argv).ok());
  EXPECT_TRUE(f.help_requested());
  std::string usage = f.Usage();
  EXPECT_NE(usage.find("--addr"), std::string::npos);
  EXPECT_NE(usage.find("$CANDOR_TEST_ADDR"), std::string::npos);
  EXPECT_NE(usage.find("--ratio"), std::string::npos);
}

TEST(LogLevelTest, KnownLevelsOnly) {
  EXPECT_TRUE(ValidateLogLevel("info").ok());
  EXPECT_TRUE(ValidateLogLevel("off").ok());
  absl::Status s = ValidateLogLevel("verbose");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("--log-level"), std::string::npos);
}

}  // namespace
}  // namespace candor::core
