#include "services/review-gateway/client_address.h"

#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

std::string Peer(std::string_view peer) {
  std::optional<review::IpAddress> ip = PeerAddress(peer);
  return ip ? ip->ToString() : "<none>";
}

TEST(PeerAddressTest, TheAddressOfEveryIpPeerGrpcWrites) {
  EXPECT_EQ(Peer("ipv4:203.0.113.7:5000"), "203.0.113.7");
  EXPECT_EQ(Peer("ipv6:[::1]:43210"), "::1");
  EXPECT_EQ(Peer("ipv6:%5B::1%5D:43210"), "::1");  // gRPC percent-encodes the brackets
  EXPECT_EQ(Peer("ipv6:%5B2001:DB8::1%5D:1"), "2001:db8::1");
  EXPECT_EQ(Peer("ipv6:%5Bfe80::1%25eth0%5D:5000"), "fe80::1");  // the zone is dropped
  // A dual-stack listener's IPv4 peer is that IPv4 address.
  EXPECT_EQ(Peer("ipv6:%5B::ffff:10.1.2.3%5D:5000"), "10.1.2.3");
}

TEST(PeerAddressTest, NoAddressForOtherPeers) {
  for (const char* peer :
       {"unix:/tmp/gateway.sock", "unix-abstract:x", "", "ipv4:", "ipv4:host:1",
        "ipv4:1.2.3.4:port", "ipv6:[::1", "ipv6:[::1]x", "ipv4:1.2.3.4:5:6", "tcp:1.2.3.4:5"}) {
    EXPECT_EQ(Peer(peer), "<none>") << peer;
  }
}

std::vector<review::Cidr> Trusted(std::string_view list) { return *review::ParseCidrList(list); }

std::string Resolve(const ClientAddressResolver& r, std::string_view peer,
                    std::vector<std::string_view> xff) {
  return r.Resolve(peer, xff);
}

TEST(ClientAddressResolverTest, WithoutTrustedProxiesThePeerIsTheClient) {
  ClientAddressResolver none;
  EXPECT_EQ(Resolve(none, "ipv4:203.0.113.7:5000", {}), "203.0.113.7");
  // Anyone can write x-forwarded-for: from an untrusted peer it is ignored.
  EXPECT_EQ(Resolve(none, "ipv4:203.0.113.7:5000", {"198.51.100.1"}), "203.0.113.7");
  EXPECT_EQ(Resolve(none, "unix:/tmp/s", {"198.51.100.1"}), "");
}

TEST(ClientAddressResolverTest, AnUntrustedPeerIsTheClientEvenWhenOthersAreTrusted) {
  ClientAddressResolver r(Trusted("10.0.0.0/8"));
  EXPECT_EQ(Resolve(r, "ipv4:203.0.113.7:5000", {"198.51.100.1"}), "203.0.113.7");
}

TEST(ClientAddressResolverTest, BehindTrustedProxiesTheRightMostUntrustedHop) {
  ClientAddressResolver r(Trusted("10.0.0.0/8, 2001:db8::/32"));
  // client -> proxy 10.0.0.5 -> peer 10.0.0.9
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"198.51.100.1, 10.0.0.5"}), "198.51.100.1");
  // The client wrote a fake hop to the left of its own address: ignored.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"1.1.1.1, 198.51.100.1, 10.0.0.5"}), "198.51.100.1");
  // Several header values are one list, in order.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"1.1.1.1", "198.51.100.1", "10.0.0.5"}),
            "198.51.100.1");
  // Ports and brackets in hops; canonical text out; an IPv6 proxy.
  EXPECT_EQ(Resolve(r, "ipv6:%5B2001:db8::9%5D:5000", {"[2001:DB8:1::7]:4711, 10.0.0.5:80"}),
            "2001:db8:1::7");
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"198.51.100.1:61000"}), "198.51.100.1");
}

TEST(ClientAddressResolverTest, EdgesBehindTrustedProxies) {
  ClientAddressResolver r(Trusted("10.0.0.0/8"));
  // No x-forwarded-for: the trusted peer itself (say, a health checker) is the client.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {}), "10.0.0.9");
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {" , "}), "10.0.0.9");
  // Only proxies: the left-most is as far back as anyone knows.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"10.0.0.1, 10.0.0.5"}), "10.0.0.1");
  // A proxy that did not know the client ("unknown", garbage): unknown, never the proxy.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"unknown"}), "");
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"198.51.100.1, unknown, 10.0.0.5"}), "");
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"1.2.3.4:x"}), "");
  // Garbage to the left of the client does not matter.
  EXPECT_EQ(Resolve(r, "ipv4:10.0.0.9:5000", {"garbage, 198.51.100.1"}), "198.51.100.1");
}

}  // namespace
}  // namespace candor::gateway
