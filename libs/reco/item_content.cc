#include "libs/reco/item_content.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/datafile/line_reader.h"
#include "libs/reco/require.h"

namespace candor::reco {
namespace {

bool TokenByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::vector<int32_t> ContentTokens(std::string_view text, int32_t buckets) {
  Require(buckets >= 1, "ContentTokens: buckets must be >= 1");
  std::vector<int32_t> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!TokenByte(text[i])) {
      ++i;
      continue;
    }
    uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
    for (; i < text.size() && TokenByte(text[i]); ++i) {
      hash ^= static_cast<unsigned char>(Lower(text[i]));
      hash *= 1099511628211ULL;  // FNV prime
    }
    const auto token = static_cast<int32_t>(hash % static_cast<uint64_t>(buckets));
    if (std::find(out.begin(), out.end(), token) == out.end()) out.push_back(token);
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<int32_t>>> LoadItemContent(
    const std::string& path, const InteractionLog& log, int32_t buckets, const LoadOptions& options,
    LoadReport* report, int64_t* unknown) {
  *report = LoadReport{};
  report->source = path;
  int64_t not_in_log = 0;
  std::vector<std::vector<int32_t>> tokens(static_cast<std::size_t>(log.num_items()));
  bool first = true;
  absl::Status read = datafile::ForEachLine(path, [&](int64_t n, std::string_view text) {
    if (text.find_first_not_of(" \t") == std::string_view::npos) return absl::OkStatus();
    const bool header_allowed = first;
    first = false;
    if (header_allowed && text == "item\ttext") return absl::OkStatus();
    ++report->lines;
    const std::size_t tab = text.find('\t');
    std::string reason;
    if (tab == std::string_view::npos) {
      reason = "expected `item<TAB>text`, found no tab";
    } else if (tab == 0) {
      reason = "empty item";
    }
    if (!reason.empty()) {
      std::string where = absl::StrCat(path, ":", n, ": ", reason);
      if (!options.lenient) return absl::InvalidArgumentError(where);
      ++report->skipped;
      if (static_cast<int>(report->reasons.size()) < options.max_reasons) {
        report->reasons.push_back(std::move(where));
      }
      return absl::OkStatus();
    }
    const std::optional<int32_t> item = log.FindItem(text.substr(0, tab));
    if (!item) {
      ++not_in_log;
      return absl::OkStatus();
    }
    std::vector<int32_t>& mine = tokens[static_cast<std::size_t>(*item)];
    for (const int32_t t : ContentTokens(text.substr(tab + 1), buckets)) {
      if (std::find(mine.begin(), mine.end(), t) == mine.end()) mine.push_back(t);
    }
    ++report->interactions;  // here: items described
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  if (unknown != nullptr) *unknown = not_in_log;
  return tokens;
}

}  // namespace candor::reco
