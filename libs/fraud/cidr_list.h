#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace candor::fraud {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4.
struct IpAddress {
  bool v4 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4

  bool operator==(const IpAddress&) const = default;
};

// The address in a client address as Candor sees it: a bare address ("203.0.113.7", "2001:db8::1",
// "[2001:db8::1]"), with a port ("203.0.113.7:443", "[2001:db8::1]:443"), or a gRPC peer string
// ("ipv4:203.0.113.7:443", "ipv6:[2001:db8::1]:443", "ipv6:%5B2001:db8::1%5D:443"). An IPv6 zone
// ("%eth0") is ignored. nullopt for anything else ("unix:/run/x.sock", "", garbage). Pure.
std::optional<IpAddress> ParseClientAddress(std::string_view client);

// The canonical text of `ip` (inet_ntop: "203.0.113.7", "2001:db8::1"). Pure.
std::string FormatIp(const IpAddress& ip);

// A list of IPv4 and IPv6 networks (the datacenter ranges behind Feature::kDatacenterIp), read
// from text with one CIDR per line ("192.0.2.0/24", "2001:db8::/32"; a bare address is a host
// route), `#` comments, blank lines and surrounding spaces ignored. Host bits below the prefix are
// ignored (10.1.2.3/8 is 10.0.0.0/8). Immutable after loading; Contains is thread-safe and runs in
// O(log n) over the merged ranges.
class CidrList {
 public:
  CidrList() = default;

  // Parses `text`. A bad line (not an address, a prefix length out of range, anything after the
  // CIDR but a comment) is InvalidArgument "<source>:<line>: ..." naming the line and its text.
  static absl::StatusOr<CidrList> Parse(std::string_view text,
                                        std::string_view source = "<cidr list>");
  // Reads and parses the file at `path` (errors name the path and the line); NotFound when it
  // cannot be read.
  static absl::StatusOr<CidrList> LoadFile(const std::string& path);

  // Whether the address in `client` (ParseClientAddress's forms) lies in one of the networks.
  // False when `client` holds no address.
  bool Contains(std::string_view client) const;
  bool Contains(const IpAddress& ip) const;

  // Networks read (lines with a CIDR), before merging.
  std::size_t size() const { return networks_; }

 private:
  using V6 = std::pair<uint64_t, uint64_t>;  // high, low
  // Sorted, disjoint, non-adjacent inclusive ranges.
  std::vector<std::pair<uint32_t, uint32_t>> v4_;
  std::vector<std::pair<V6, V6>> v6_;
  std::size_t networks_ = 0;
};

}  // namespace candor::fraud
