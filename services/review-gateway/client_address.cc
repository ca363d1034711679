#include "services/review-gateway/client_address.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/http/percent_decode.h"

namespace candor::gateway {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// An address with an optional port: "203.0.113.7", "203.0.113.7:5000", "2001:db8::1",
// "[2001:db8::1]", "[2001:db8::1]:5000", "[fe80::1%eth0]:5000" (the zone is dropped).
std::optional<review::IpAddress> HostAddress(std::string_view host) {
  if (std::optional<review::IpAddress> ip = review::IpAddress::Parse(host)) return ip;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1 ||
                          rest.find_first_not_of("0123456789", 1) != std::string_view::npos)) {
      return std::nullopt;
    }
    std::string_view inner = host.substr(1, close - 1);
    inner = inner.substr(0, inner.find('%'));
    return review::IpAddress::Parse(inner);
  }
  // IPv4 with a port: exactly one ':'.
  const size_t colon = host.find(':');
  if (colon == std::string_view::npos || host.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view port = host.substr(colon + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return review::IpAddress::Parse(host.substr(0, colon));
}

}  // namespace

std::optional<review::IpAddress> PeerAddress(std::string_view peer) {
  absl::string_view rest = Sv(peer);
  if (!absl::ConsumePrefix(&rest, "ipv4:") && !absl::ConsumePrefix(&rest, "ipv6:")) {
    return std::nullopt;
  }
  // gRPC writes peers as URIs, percent-encoding what a URI may not hold ("[", "]", "%").
  return HostAddress(http::PercentDecode(Std(rest), /*plus_is_space=*/false));
}

std::string ClientAddressResolver::Resolve(std::string_view peer,
                                           std::span<const std::string_view> forwarded_for) const {
  std::optional<review::IpAddress> hop = PeerAddress(peer);
  if (!hop) return "";
  if (!review::AnyContains(trusted_, *hop)) return hop->ToString();
  // Every hop, oldest first, over all the call's x-forwarded-for values.
  std::vector<std::string_view> hops;
  for (std::string_view value : forwarded_for) {
    for (absl::string_view item : absl::StrSplit(Sv(value), ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (!item.empty()) hops.push_back(Std(item));
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    hop = HostAddress(*it);
    if (!hop) return "";  // a trusted proxy did not know the client
    if (!review::AnyContains(trusted_, *hop)) return hop->ToString();
  }
  // Only trusted proxies (or none named): the left-most hop is as far back as anyone knows.
  return hop->ToString();
}

}  // namespace candor::gateway
