#include "libs/fraud/cidr_list.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
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

uint32_t V4Of(const review::IpAddress& ip) {
  const uint8_t* b = ip.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

std::pair<uint64_t, uint64_t> V6Of(const review::IpAddress& ip) {
  const uint8_t* b = ip.bytes();
  uint64_t hi = 0;
  uint64_t lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[i];
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

absl::StatusOr<CidrList> CidrList::Parse(std::string_view text, std::string_view source) {
  CidrList list;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = Strip(line);
    if (line.empty()) continue;
    absl::StatusOr<review::Cidr> cidr = review::Cidr::Parse(line);
    if (!cidr.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Absl(source), ":", line_no, ": ", cidr.status().message()));
    }
    // The network's host bits are zero (Cidr::Parse masks them): the range is network to
    // network with every host bit set.
    const int len = cidr->prefix();
    if (cidr->network().is_v4()) {
      const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
      const uint32_t net = V4Of(cidr->network());
      list.v4_.emplace_back(net, net | ~mask);
    } else {
      const auto [hi, lo] = V6Of(cidr->network());
      list.v6_.push_back({{hi, lo}, {hi | ~Mask64(len), lo | ~Mask64(len - 64)}});
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

bool CidrList::Contains(std::string_view ip) const {
  std::optional<review::IpAddress> parsed = review::IpAddress::Parse(ip);
  return parsed && Contains(*parsed);
}

bool CidrList::Contains(const review::IpAddress& ip) const {
  if (ip.is_v4()) {
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
