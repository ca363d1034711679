#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/review/ip_address.h"

namespace candor::gateway {

// The IP address in a gRPC peer string: "ipv4:203.0.113.7:5000", "ipv6:[2001:db8::1]:5000" (the
// brackets may come percent-encoded, "%5B...%5D", and an IPv6 zone "%25eth0" is dropped). nullopt
// for other peers ("unix:/path") or text that names no address. Pure function.
std::optional<review::IpAddress> PeerAddress(std::string_view peer);

// Who the client of a call is: the transport's peer, unless that peer is one of the operator's
// trusted proxies (--trusted-proxies), in which case `x-forwarded-for` says. Immutable:
// thread-safe.
class ClientAddressResolver {
 public:
  explicit ClientAddressResolver(std::vector<review::Cidr> trusted_proxies = {})
      : trusted_(std::move(trusted_proxies)) {}

  // The client's address in canonical text (what review::ValidateClientIp takes), or "" when it
  // is unknown. `peer` is the gRPC peer string, `forwarded_for` every `x-forwarded-for` value of
  // the call in the order received (each a comma-separated list, oldest hop first).
  //  - A peer that is not a trusted proxy is the client; its x-forwarded-for is ignored (anyone
  //    can write one).
  //  - Behind trusted proxies, the hops are read right to left: the right-most address that is
  //    not itself a trusted proxy is the client (every hop to its right was appended by a proxy
  //    we trust; what is to its left, the client wrote). When every hop is a trusted proxy, the
  //    left-most is the client; with no x-forwarded-for at all, the peer is.
  //  - A hop that is not an IP address ("unknown", garbage) where the client should be leaves the
  //    client unknown: "". Hops may carry a port ("203.0.113.7:5000", "[2001:db8::1]:5000").
  std::string Resolve(std::string_view peer, std::span<const std::string_view> forwarded_for) const;

  bool trusts_any() const { return !trusted_.empty(); }

 private:
  std::vector<review::Cidr> trusted_;
};

}  // namespace candor::gateway
