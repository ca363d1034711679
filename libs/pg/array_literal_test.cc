#include "libs/pg/array_literal.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace candor::pg {
namespace {

TEST(ArrayLiteralTest, QuotesAndEscapesText) {
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{}), "{}");
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{"a", "b c"}), R"({"a","b c"})");
  EXPECT_EQ(ArrayLiteral(std::vector<std::string>{R"(say "hi")", R"(back\slash)", "{,}", ""}),
            R"({"say \"hi\"","back\\slash","{,}",""})");
}

TEST(ArrayLiteralTest, WritesNumbersAndBoolsBare) {
  EXPECT_EQ(ArrayLiteral(std::vector<int>{1, -2, 3}), "{1,-2,3}");
  EXPECT_EQ(ArrayLiteral(std::vector<int64_t>{9007199254740993}), "{9007199254740993}");
  EXPECT_EQ(ArrayLiteral(std::vector<bool>{true, false}), "{t,f}");
  EXPECT_EQ(ArrayLiteral(std::vector<double>{0.25}), "{0.25}");
}

}  // namespace
}  // namespace candor::pg
