#include "libs/fraud/cidr_list.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace candor::fraud {
namespace {

// Debian's absl has a string_view of its own; these few string helpers avoid converting.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

absl::string_view Absl(std::string_view s) { return {s.data(), s.size()}; }

// A prefix length: 1 to 3 decimal digits.
std::optional<int> ParseLength(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<IpAddress> ParseBare(std::string_view s) {
  // inet_pton needs a NUL-terminated string; addresses are short.
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, s.data(), s.size());
  IpAddress ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) {
    ip.v4 = true;
    return ip;
  }
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.bytes.data(), kMapped, sizeof(kMapped)) == 0) {
    IpAddress v4;
    v4.v4 = true;
    std::memcpy(v4.bytes.data(), ip.bytes.data() + 12, 4);
    return v4;
  }
  return ip;
}

uint32_t V4Of(const IpAddress& ip) {
  return (uint32_t{ip.bytes[0]} << 24) | (uint32_t{ip.bytes[1]} << 16) |
         (uint32_t{ip.bytes[2]} << 8) | uint32_t{ip.bytes[3]};
}

std::pair<uint64_t, uint64_t> V6Of(const IpAddress& ip) {
  uint64_t hi = 0;
  uint64_t lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | ip.bytes[static_cast<std::size_t>(i)];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | ip.bytes[static_cast<std::size_t>(i)];
  return {hi, lo};
}

// The mask of the first `bits` bits of a 64-bit word (bits clamped to 0..64).
uint64_t Mask64(int bits) {
  if (bits <= 0) return 0;
  if (bits >= 64) return ~uint64_t{0};
  return ~uint64_t{0} << (64 - bits);
}

// The successor of a range end, for merging adjacent ranges (only called when it exists).
uint32_t Next(uint32_t x) { return x + 1; }
std::pair<uint64_t, uint64_t> Next(std::pair<uint64_t, uint64_t> x) {
  return x.second == ~uint64_t{0} ? std::pair<uint64_t, uint64_t>{x.first + 1, 0}
                                  : std::pair<uint64_t, uint64_t>{x.first, x.second + 1};
}

// Sorts `ranges` and merges the overlapping and adjacent ones.
template <typename T>
void Merge(std::vector<std::pair<T, T>>& ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<T, T>> out;
  for (const auto& r : ranges) {
    // Adjacent ranges merge too: r.first == back.second + 1 (no overflow: back.second < r.first).
    if (!out.empty() && (r.first <= out.back().second ||
                         (out.back().second < r.first && Next(out.back().second) == r.first))) {
      out.back().second = std::max(out.back().second, r.second);
    } else {
      out.push_back(r);
    }
  }
  ranges.swap(out);
}

}  // namespace

std::optional<IpAddress> ParseClientAddress(std::string_view client) {
  std::string s(client);
  if (s.rfind("ipv4:", 0) == 0 || s.rfind("ipv6:", 0) == 0) s.erase(0, 5);
  // gRPC percent-encodes the brackets of an IPv6 peer in some versions.
  for (std::string_view enc : {"%5B", "%5b"}) {
    if (std::size_t p = s.find(enc); p == 0) s.replace(p, 3, "[");
  }
  for (std::string_view enc : {"%5D", "%5d"}) {
    if (std::size_t p = s.find(enc); p != std::string::npos) s.replace(p, 3, "]");
  }
  std::string_view v = s;
  if (!v.empty() && v.front() == '[') {
    v.remove_prefix(1);
    const std::size_t close = v.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = v.substr(close + 1);
    v = v.substr(0, close);
    if (!rest.empty() && rest[0] != ':') return std::nullopt;
  } else if (std::count(v.begin(), v.end(), ':') == 1) {
    v = v.substr(0, v.find(':'));  // IPv4 with a port
  }
  if (std::size_t zone = v.find('%'); zone != std::string_view::npos) v = v.substr(0, zone);
  return ParseBare(v);
}

std::string FormatIp(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.v4 ? AF_INET : AF_INET6, ip.bytes.data(), buf, sizeof(buf));
  return buf;
}

absl::StatusOr<CidrList> CidrList::Parse(std::string_view text, std::string_view source) {
  CidrList list;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const std::string_view raw = Strip(line);
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = Strip(line);
    if (line.empty()) continue;
    auto bad = [&](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(Absl(source), ":", line_no, ": '", Absl(raw),
                                                     "' is not an IPv4 or IPv6 CIDR: ", Absl(why)));
    };
    std::string_view addr = line;
    std::optional<std::string_view> len_text;
    if (std::size_t slash = line.find('/'); slash != std::string_view::npos) {
      addr = Strip(line.substr(0, slash));
      len_text = Strip(line.substr(slash + 1));
    }
    std::optional<IpAddress> ip = ParseBare(addr);
    if (!ip) return bad("bad address");
    const int max_len = ip->v4 ? 32 : 128;
    // A mapped address (::ffff:a.b.c.d/len) is read as IPv4 with len - 96.
    const bool mapped = ip->v4 && addr.find(':') != std::string_view::npos;
    int len = mapped ? 128 : max_len;
    if (len_text) {
      std::optional<int> parsed = ParseLength(*len_text);
      if (!parsed) return bad("the prefix length is not a number");
      len = *parsed;
    }
    if (mapped) {
      if (len < 96 || len > 128) return bad("the prefix length of a mapped address is 96..128");
      len -= 96;
    }
    if (len < 0 || len > max_len) {
      return bad(absl::StrCat("the prefix length is ", len, ", not 0..", max_len));
    }
    if (ip->v4) {
      const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
      const uint32_t net = V4Of(*ip) & mask;
      list.v4_.emplace_back(net, net | ~mask);
    } else {
      const auto [hi, lo] = V6Of(*ip);
      const uint64_t mhi = Mask64(len);
      const uint64_t mlo = Mask64(len - 64);
      list.v6_.push_back({{hi & mhi, lo & mlo}, {hi | ~mhi, lo | ~mlo}});
    }
    ++list.networks_;
  }
  Merge(list.v4_);
  Merge(list.v6_);
  return list;
}

absl::StatusOr<CidrList> CidrList::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("CIDR list ", path, ": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

bool CidrList::Contains(std::string_view client) const {
  std::optional<IpAddress> ip = ParseClientAddress(client);
  return ip && Contains(*ip);
}

bool CidrList::Contains(const IpAddress& ip) const {
  if (ip.v4) {
    const uint32_t x = V4Of(ip);
    auto it = std::upper_bound(v4_.begin(), v4_.end(), x,
                               [](uint32_t v, const auto& r) { return v < r.first; });
    return it != v4_.begin() && x <= std::prev(it)->second;
  }
  const V6 x = V6Of(ip);
  auto it = std::upper_bound(v6_.begin(), v6_.end(), x,
                             [](const V6& v, const auto& r) { return v < r.first; });
  return it != v6_.begin() && x <= std::prev(it)->second;
}

}  // namespace candor::fraud
