#include "libs/review/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace candor::review {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text is 45 characters.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string z(text);
  IpAddress ip;
  if (inet_pton(AF_INET, z.c_str(), ip.bytes_.data()) == 1) return ip;
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, z.c_str(), v6.data()) != 1) return std::nullopt;
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), v6.begin())) {
    std::copy(v6.begin() + 12, v6.end(), ip.bytes_.begin());
    return ip;
  }
  ip.v4_ = false;
  ip.bytes_ = v6;
  return ip;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

absl::StatusOr<Cidr> Cidr::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("'", Sv(text), "': ", Sv(why)));
  };
  std::string_view address = text;
  std::optional<int> prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    int n = 0;
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos ||
        !absl::SimpleAtoi(Sv(digits), &n)) {
      return bad("the prefix length after '/' must be a number");
    }
    prefix = n;
  }
  std::optional<IpAddress> ip = IpAddress::Parse(address);
  if (!ip) return bad("not an IPv4 or IPv6 address (optionally with /prefix)");
  const int bits = ip->size() * 8;
  // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is its IPv4 network, as addresses are.
  if (prefix && ip->is_v4() && address.find(':') != std::string_view::npos) {
    if (*prefix < 96) return bad("an IPv4-mapped network needs a prefix of at least 96");
    *prefix -= 96;
  }
  if (prefix.value_or(bits) > bits) {
    return bad(absl::StrCat("the prefix length must be 0..", bits));
  }
  Cidr c;
  c.prefix_ = prefix.value_or(bits);
  // Keep only the network bits, so Contains and ToString need not mask again.
  std::string masked(reinterpret_cast<const char*>(ip->bytes()), static_cast<size_t>(ip->size()));
  for (int i = 0; i < ip->size(); ++i) {
    const int keep = std::clamp(c.prefix_ - i * 8, 0, 8);
    masked[i] = static_cast<char>(static_cast<uint8_t>(masked[i]) & (0xff << (8 - keep)));
  }
  char text_buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip->is_v4() ? AF_INET : AF_INET6, masked.data(), text_buf, sizeof(text_buf));
  c.network_ = *IpAddress::Parse(text_buf);
  return c;
}

bool Cidr::Contains(const IpAddress& ip) const {
  if (ip.is_v4() != network_.is_v4()) return false;
  const int full = prefix_ / 8;
  if (std::memcmp(ip.bytes(), network_.bytes(), static_cast<size_t>(full)) != 0) return false;
  const int rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip.bytes()[full] & mask) == network_.bytes()[full];
}

std::string Cidr::ToString() const { return absl::StrCat(network_.ToString(), "/", prefix_); }

absl::StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  if (absl::StripAsciiWhitespace(Sv(text)).empty()) return out;
  for (absl::string_view item : absl::StrSplit(Sv(text), ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty item in '", Sv(text), "'"));
    }
    absl::StatusOr<Cidr> c = Cidr::Parse(std::string_view(item.data(), item.size()));
    if (!c.ok()) return c.status();
    out.push_back(*c);
  }
  return out;
}

bool AnyContains(const std::vector<Cidr>& networks, const IpAddress& ip) {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const Cidr& c) { return c.Contains(ip); });
}

}  // namespace candor::review
