#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace candor::review {

// An IPv4 or IPv6 address, the value of a submission's client address. IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d, what a dual-stack listener reports for an IPv4 peer) are the IPv4
// address they carry, so one client never has two spellings. Value type.
class IpAddress {
 public:
  // An IPv4 dotted quad ("203.0.113.7") or an IPv6 address in RFC 4291 text ("2001:db8::1",
  // "::ffff:10.0.0.1"); no brackets, port, prefix length or zone ("%eth0"). nullopt otherwise.
  // Pure function.
  static std::optional<IpAddress> Parse(std::string_view text);

  // The canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run
  // compressed). Parse(a.ToString()) == a.
  std::string ToString() const;

  bool is_v4() const { return v4_; }
  // The address bytes in network order: 4 for IPv4, 16 for IPv6.
  const uint8_t* bytes() const { return bytes_.data(); }
  int size() const { return v4_ ? 4 : 16; }

  bool operator==(const IpAddress&) const = default;

 private:
  bool v4_ = true;
  std::array<uint8_t, 16> bytes_{};
};

// A network in CIDR notation ("10.0.0.0/8", "2001:db8::/32"); a bare address is its /32 or /128.
// Value type.
class Cidr {
 public:
  // InvalidArgument naming the text when it is not an address with an optional prefix length
  // within the family's range. Host bits past the prefix are ignored ("10.1.2.3/8" is
  // 10.0.0.0/8). Pure function.
  static absl::StatusOr<Cidr> Parse(std::string_view text);

  // True when `ip` is of the same family and within the network.
  bool Contains(const IpAddress& ip) const;

  // The network address (host bits zero) and the prefix length (0..32 or 0..128).
  const IpAddress& network() const { return network_; }
  int prefix() const { return prefix_; }

  // "10.0.0.0/8": the network address and the prefix length.
  std::string ToString() const;

 private:
  IpAddress network_;
  int prefix_ = 0;
};

// Parses a comma-separated CIDR list ("10.0.0.0/8, 192.168.0.0/16"; spaces around items ignored,
// empty items refused; "" is the empty list). InvalidArgument naming the bad item.
absl::StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view text);

// True when any of `networks` contains `ip`.
bool AnyContains(const std::vector<Cidr>& networks, const IpAddress& ip);

}  // namespace candor::review
