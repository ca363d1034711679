#include "libs/http/percent_decode.h"

#include "gtest/gtest.h"

namespace candor::http {
namespace {

TEST(PercentDecodeTest, PlusOnlyInQueries) {
  EXPECT_EQ(PercentDecode("%41b+c", true), "Ab c");
  EXPECT_EQ(PercentDecode("%41b+c", false), "Ab+c");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("ipv6:%5B::1%5d:1", false), "ipv6:[::1]:1");  // either case of hex
}

}  // namespace
}  // namespace candor::http
