#include "libs/review/ip_address.h"

#include "gtest/gtest.h"

namespace candor::review {
namespace {

std::string Canonical(std::string_view text) {
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  return ip ? ip->ToString() : "<none>";
}

TEST(IpAddressTest, ParsesBothFamiliesToCanonicalText) {
  EXPECT_EQ(Canonical("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(Canonical("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(Canonical("::1"), "::1");
  EXPECT_EQ(Canonical("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(Canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_TRUE(IpAddress::Parse("10.0.0.1")->is_v4());
  EXPECT_FALSE(IpAddress::Parse("::1")->is_v4());
}

TEST(IpAddressTest, V4MappedIsTheV4Address) {
  // A dual-stack listener reports an IPv4 peer this way; it is the same client.
  EXPECT_EQ(Canonical("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(Canonical("::FFFF:a00:1"), "10.0.0.1");
  EXPECT_EQ(*IpAddress::Parse("::ffff:10.0.0.1"), *IpAddress::Parse("10.0.0.1"));
}

TEST(IpAddressTest, RefusesAnythingElse) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.1:80", "[::1]",
                          "fe80::1%eth0", "::1/128", "localhost", " 10.0.0.1", "10.0.0.1 ",
                          "1:2:3:4:5:6:7:8:9", "ipv4:10.0.0.1:1"}) {
    EXPECT_FALSE(IpAddress::Parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(IpAddress::Parse(std::string_view("10.0.0.1\0", 9)).has_value());
  EXPECT_FALSE(IpAddress::Parse(std::string(100, '1')).has_value());
}

TEST(CidrTest, ContainsByPrefix) {
  Cidr ten = *Cidr::Parse("10.0.0.0/8");
  EXPECT_TRUE(ten.Contains(*IpAddress::Parse("10.255.1.2")));
  EXPECT_FALSE(ten.Contains(*IpAddress::Parse("11.0.0.1")));
  EXPECT_FALSE(ten.Contains(*IpAddress::Parse("::ffff:b00:1")));  // 11.0.0.1 mapped
  EXPECT_TRUE(ten.Contains(*IpAddress::Parse("::ffff:10.1.1.1")));
  EXPECT_FALSE(ten.Contains(*IpAddress::Parse("::a00:1")));  // another family

  Cidr odd = *Cidr::Parse("192.168.4.0/22");
  EXPECT_TRUE(odd.Contains(*IpAddress::Parse("192.168.7.255")));
  EXPECT_FALSE(odd.Contains(*IpAddress::Parse("192.168.8.0")));

  Cidr host = *Cidr::Parse("127.0.0.1");
  EXPECT_EQ(host.ToString(), "127.0.0.1/32");
  EXPECT_TRUE(host.Contains(*IpAddress::Parse("127.0.0.1")));
  EXPECT_FALSE(host.Contains(*IpAddress::Parse("127.0.0.2")));

  Cidr v6 = *Cidr::Parse("2001:db8::/32");
  EXPECT_TRUE(v6.Contains(*IpAddress::Parse("2001:db8:ffff::1")));
  EXPECT_FALSE(v6.Contains(*IpAddress::Parse("2001:db9::1")));
  EXPECT_TRUE(Cidr::Parse("::/0")->Contains(*IpAddress::Parse("::1")));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains(*IpAddress::Parse("8.8.8.8")));
}

TEST(CidrTest, HostBitsAreMaskedAndMappedNetworksAreV4) {
  EXPECT_EQ(Cidr::Parse("10.1.2.3/8")->ToString(), "10.0.0.0/8");
  EXPECT_EQ(Cidr::Parse("2001:db8::1/32")->ToString(), "2001:db8::/32");
  EXPECT_EQ(Cidr::Parse("::ffff:10.0.0.0/104")->ToString(), "10.0.0.0/8");
}

TEST(CidrTest, BadTextIsNamed) {
  for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
                          "10.0.0.0/8/8", "10.0.0.0/a", "10.0.0/8", "::ffff:10.0.0.0/90",
                          "10.0.0.0/0008"}) {
    absl::StatusOr<Cidr> c = Cidr::Parse(bad);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    if (!c.ok()) {
      EXPECT_NE(c.status().message().find(std::string("'") + bad + "'"), absl::string_view::npos)
          << c.status();
    }
  }
}

TEST(CidrListTest, CommaSeparated) {
  auto list = ParseCidrList(" 10.0.0.0/8 ,192.168.0.0/16,::1");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_TRUE(AnyContains(*list, *IpAddress::Parse("192.168.1.1")));
  EXPECT_TRUE(AnyContains(*list, *IpAddress::Parse("::1")));
  EXPECT_FALSE(AnyContains(*list, *IpAddress::Parse("8.8.8.8")));
  EXPECT_TRUE(ParseCidrList("")->empty());
  EXPECT_TRUE(ParseCidrList("  ")->empty());
  EXPECT_EQ(ParseCidrList("10.0.0.0/8,,::1").status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status bad = ParseCidrList("10.0.0.0/8, nonsense").status();
  EXPECT_NE(bad.message().find("'nonsense'"), absl::string_view::npos) << bad;
}

}  // namespace
}  // namespace candor::review
