#include "libs/fraud/cidr_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace candor::fraud {
namespace {

using ::testing::HasSubstr;

CidrList MustParse(std::string_view text) {
  absl::StatusOr<CidrList> list = CidrList::Parse(text);
  EXPECT_TRUE(list.ok()) << list.status();
  return list.ok() ? *std::move(list) : CidrList();
}

TEST(CidrListTest, ParsesIpv4AndIpv6WithCommentsAndBlankLines) {
  const CidrList list = MustParse(
      "# cloud ranges\n"
      "\n"
      "  192.0.2.0/24   # documentation range\n"
      "198.51.100.7\n"
      "2001:db8::/32\n"
      "\t\n"
      "10.1.2.3/8\n");
  EXPECT_EQ(list.size(), 4u);
  EXPECT_TRUE(list.Contains("192.0.2.0"));
  EXPECT_TRUE(list.Contains("192.0.2.255"));
  EXPECT_FALSE(list.Contains("192.0.3.0"));
  EXPECT_FALSE(list.Contains("192.0.1.255"));
  EXPECT_TRUE(list.Contains("198.51.100.7"));  // a bare address is a host route
  EXPECT_FALSE(list.Contains("198.51.100.8"));
  EXPECT_TRUE(list.Contains("2001:db8:ffff::1"));
  EXPECT_FALSE(list.Contains("2001:db9::1"));
  EXPECT_TRUE(list.Contains("10.200.0.1"));  // host bits below the prefix are ignored
  EXPECT_FALSE(list.Contains("11.0.0.0"));
}

TEST(CidrListTest, TakesTheCanonicalAddressOfASubmission) {
  const CidrList list = MustParse("203.0.113.0/24\n2001:db8::/32\n");
  EXPECT_TRUE(list.Contains("203.0.113.9"));
  EXPECT_TRUE(list.Contains("2001:db8::5"));
  EXPECT_TRUE(list.Contains(*review::IpAddress::Parse("2001:db8:ffff::1")));
  EXPECT_FALSE(list.Contains(*review::IpAddress::Parse("2001:db9::1")));
  EXPECT_TRUE(list.Contains("::ffff:203.0.113.9"));  // IPv4-mapped IPv6 is IPv4
  EXPECT_FALSE(list.Contains(""));                   // unknown
  EXPECT_FALSE(list.Contains("not an address"));
  EXPECT_FALSE(list.Contains("203.0.113"));
  // The gateway hands on canonical text only; a peer string or a port is not an address.
  EXPECT_FALSE(list.Contains("ipv4:203.0.113.9:51234"));
  EXPECT_FALSE(list.Contains("[2001:db8::5]"));
}

TEST(CidrListTest, ZeroPrefixCoversOneFamilyOnly) {
  const CidrList v4 = MustParse("0.0.0.0/0");
  EXPECT_TRUE(v4.Contains("255.255.255.255"));
  EXPECT_FALSE(v4.Contains("::1"));
  const CidrList v6 = MustParse("::/0");
  EXPECT_TRUE(v6.Contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(v6.Contains("127.0.0.1"));
}

TEST(CidrListTest, OverlappingAndAdjacentNetworksMerge) {
  const CidrList list = MustParse(
      "10.0.0.128/25\n10.0.0.0/25\n10.0.0.64/26\n10.0.1.0/24\n"
      "2001:db8::/64\n2001:db8:0:1::/64\n2001:db8::8000:0:0:0/65\n");
  for (const char* in : {"10.0.0.0", "10.0.0.127", "10.0.0.128", "10.0.1.255", "2001:db8::1",
                         "2001:db8:0:1:ffff::"}) {
    EXPECT_TRUE(list.Contains(in)) << in;
  }
  for (const char* out : {"10.0.2.0", "9.255.255.255", "2001:db8:0:2::"}) {
    EXPECT_FALSE(list.Contains(out)) << out;
  }
}

TEST(CidrListTest, ABadLineNamesTheSourceAndTheLine) {
  const struct {
    const char* text;
    const char* line;
  } cases[] = {
      {"10.0.0.0/8\n# ok\n10.0.0.0/33\n", ":3: '10.0.0.0/33'"},
      {"10.0.0.0/8\nhello\n", ":2: 'hello'"},
      {"10.0.0.0/\n", ":1: '10.0.0.0/'"},
      {"10.0.0.0/8 trailing\n", ":1: '10.0.0.0/8 trailing'"},
      {"2001:db8::/129\n", ":1: '2001:db8::/129'"},
      {"10.0.0.0/-1\n", ":1:"},
      {"999.0.0.0/8\n", ":1:"},
      {"::ffff:10.0.0.0/64\n", ":1:"},
      {"10.0.0.0 / 8\n", ":1: '10.0.0.0 / 8'"},
      {"\n\n  10.0.0.0/40  # too long\n", ":3: '10.0.0.0/40'"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<CidrList> list = CidrList::Parse(c.text, "dc.txt");
    ASSERT_FALSE(list.ok()) << c.text;
    EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(list.status().message(), HasSubstr(std::string("dc.txt") + c.line)) << c.text;
  }
}

TEST(CidrListTest, LoadFileReadsAFileAndNamesItInErrors) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/cidr_good.txt";
  const std::string bad = dir + "/cidr_bad.txt";
  std::ofstream(good) << "192.0.2.0/24\n";
  std::ofstream(bad) << "192.0.2.0/24\n\n192.0.2.0/40\n";
  absl::StatusOr<CidrList> list = CidrList::LoadFile(good);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_TRUE(list->Contains("192.0.2.1"));
  absl::StatusOr<CidrList> broken = CidrList::LoadFile(bad);
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr(bad + ":3:"));
  absl::StatusOr<CidrList> missing = CidrList::LoadFile(dir + "/no-such-file.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no-such-file.txt"));
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace candor::fraud
