#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/review/ip_address.h"

namespace candor::fraud {

// A list of IPv4 and IPv6 networks (the datacenter ranges behind Feature::kDatacenterIp), read
// from text with one CIDR per line (review::Cidr::Parse: "192.0.2.0/24", "2001:db8::/32"; a bare
// address is a host route; host bits below the prefix are ignored, 10.1.2.3/8 is 10.0.0.0/8),
// `#` comments, blank lines and surrounding spaces ignored. Immutable after loading; Contains is
// thread-safe and runs in O(log n) over the merged ranges.
class CidrList {
 public:
  CidrList() = default;

  // Parses `text`. A bad line (not an address, a prefix length out of range, anything after the
  // CIDR but a comment) is InvalidArgument "<source>:<line>: '<cidr>': <why>".
  static absl::StatusOr<CidrList> Parse(std::string_view text,
                                        std::string_view source = "<cidr list>");
  // Reads and parses the file at `path` (errors name the path and the line); NotFound when it
  // cannot be read.
  static absl::StatusOr<CidrList> LoadFile(const std::string& path);

  // Whether the address in `ip` (review::IpAddress::Parse's text, as a submission's client_ip)
  // lies in one of the networks. False when `ip` is empty or not an address.
  bool Contains(std::string_view ip) const;
  bool Contains(const review::IpAddress& ip) const;

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
