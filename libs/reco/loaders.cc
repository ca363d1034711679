#include "libs/reco/loaders.h"

#include <cmath>
#include <filesystem>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/datafile/amazon_review.h"
#include "libs/datafile/line_reader.h"

namespace candor::reco {
namespace {

// Debian's abseil has its own string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Applies LoadOptions to one bad line: an error when strict, a count and maybe a kept reason
// when lenient.
class BadLines {
 public:
  BadLines(const LoadOptions& options, LoadReport* report) : options_(options), report_(report) {}

  absl::Status Bad(std::string_view file, int64_t line, std::string_view reason) {
    std::string where = absl::StrCat(Sv(file), ":", line, ": ", Sv(reason));
    if (!options_.lenient) return absl::InvalidArgumentError(where);
    ++report_->skipped;
    if (static_cast<int>(report_->reasons.size()) < options_.max_reasons) {
      report_->reasons.push_back(std::move(where));
    }
    return absl::OkStatus();
  }

 private:
  const LoadOptions& options_;
  LoadReport* report_;
};

// The fields of `line` between single `separator`s (empty fields kept).
std::vector<std::string_view> Fields(std::string_view line, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const std::size_t end = line.find(separator, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

absl::StatusOr<InteractionLog> Finish(InteractionLog log, LoadReport* report,
                                      std::string_view expected) {
  report->interactions = static_cast<int64_t>(log.interactions().size());
  if (report->interactions == 0) {
    return absl::InvalidArgumentError(absl::StrCat(report->source, ": no interaction loaded (",
                                                   report->lines, " lines, ", report->skipped,
                                                   " skipped); expected ", Sv(expected)));
  }
  return log;
}

// A non-negative integer time, or the reason it is not one.
std::string ParseTime(std::string_view text, int64_t* out) {
  if (!absl::SimpleAtoi(Sv(text), out)) {
    return absl::StrCat("time '", Sv(text), "' is not an integer");
  }
  if (*out < 0) return absl::StrCat("time ", *out, " is negative");
  return "";
}

// The words of `line` between spaces or tabs.
std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  for (std::size_t start = line.find_first_not_of(" \t"); start != std::string_view::npos;) {
    const std::size_t end = line.find_first_of(" \t", start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    start = end == std::string_view::npos ? end : line.find_first_not_of(" \t", end);
  }
  return out;
}

}  // namespace

absl::StatusOr<InteractionLog> LoadBeautySequences(const std::string& dir,
                                                   const LoadOptions& options, LoadReport* report) {
  *report = LoadReport{};
  const std::string items_path = (std::filesystem::path(dir) / "Beauty_item_org_rank.txt").string();
  const std::string times_path = (std::filesystem::path(dir) / "Beauty_time_org_rank.txt").string();
  report->source = absl::StrCat(items_path, " + ", times_path);
  BadLines bad(options, report);

  // The item file is small (about 1 MB for 198,502 interactions): hold it, then walk the time
  // file beside it.
  std::vector<std::string> item_lines;
  absl::Status read = datafile::ForEachLine(items_path, [&](int64_t, std::string_view text) {
    item_lines.emplace_back(text);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;

  InteractionLog log;
  absl::flat_hash_map<std::string, int64_t> line_of_user;
  int64_t time_lines = 0;
  read = datafile::ForEachLine(times_path, [&](int64_t n, std::string_view text) -> absl::Status {
    time_lines = n;
    if (n > static_cast<int64_t>(item_lines.size())) {
      if (Blank(text)) return absl::OkStatus();
      return bad.Bad(times_path, n, absl::StrCat("no line ", n, " in ", items_path));
    }
    const std::string& item_text = item_lines[static_cast<std::size_t>(n - 1)];
    if (Blank(text) && Blank(item_text)) return absl::OkStatus();
    ++report->lines;
    const std::vector<std::string_view> items = Words(item_text);
    const std::vector<std::string_view> times = Words(text);
    if (items.size() < 2) {
      return bad.Bad(items_path, n, "expected `user item item ...`, found no item");
    }
    if (times.empty() || times[0] != items[0]) {
      return bad.Bad(times_path, n,
                     absl::StrCat("user '", Sv(times.empty() ? "" : times[0]), "' but '",
                                  Sv(items[0]), "' on the same line of ", items_path));
    }
    if (times.size() != items.size()) {
      return bad.Bad(times_path, n,
                     absl::StrCat(times.size() - 1, " times for ", items.size() - 1, " items"));
    }
    std::vector<int64_t> at(times.size() - 1);
    for (std::size_t j = 1; j < times.size(); ++j) {
      if (std::string why = ParseTime(times[j], &at[j - 1]); !why.empty()) {
        return bad.Bad(times_path, n, why);
      }
    }
    auto [seen, fresh] = line_of_user.try_emplace(std::string(items[0]), n);
    if (!fresh) {
      return bad.Bad(items_path, n,
                     absl::StrCat("user '", Sv(items[0]), "' already has line ", seen->second));
    }
    const int32_t user = log.InternUser(items[0]);
    for (std::size_t j = 1; j < items.size(); ++j) {
      log.Add(user, log.InternItem(items[j]), kNoRating, at[j - 1]);
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  for (std::size_t n = static_cast<std::size_t>(time_lines) + 1; n <= item_lines.size(); ++n) {
    if (Blank(item_lines[n - 1])) continue;
    ++report->lines;
    if (absl::Status s = bad.Bad(items_path, static_cast<int64_t>(n),
                                 absl::StrCat("no line ", n, " in ", times_path));
        !s.ok()) {
      return s;
    }
  }
  return Finish(std::move(log), report, "`user item ...` and `user time ...` lines");
}

absl::StatusOr<InteractionLog> LoadAmazonJson(const std::string& path, const LoadOptions& options,
                                              LoadReport* report) {
  *report = LoadReport{};
  report->source = path;
  BadLines bad(options, report);
  InteractionLog log;
  absl::Status read = datafile::ForEachLine(path, [&](int64_t n, std::string_view text) {
    if (Blank(text)) return absl::OkStatus();
    ++report->lines;
    absl::StatusOr<datafile::AmazonReview> row = datafile::ParseAmazonReview(text);
    if (!row.ok()) return bad.Bad(path, n, std::string(row.status().message()));
    if (!(row->overall >= 1 && row->overall <= 5)) {
      return bad.Bad(path, n, absl::StrCat("overall ", row->overall, " is not in 1..5"));
    }
    if (row->unix_time < 0) {
      return bad.Bad(path, n, absl::StrCat("unixReviewTime ", row->unix_time, " is negative"));
    }
    log.Add(log.InternUser(row->user), log.InternItem(row->asin), static_cast<float>(row->overall),
            row->unix_time);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return Finish(std::move(log), report,
                "Amazon JSON lines with reviewerID, asin, overall, unixReviewTime");
}

absl::StatusOr<InteractionLog> LoadTsv(const std::string& path, const LoadOptions& options,
                                       LoadReport* report) {
  *report = LoadReport{};
  report->source = path;
  BadLines bad(options, report);
  InteractionLog log;
  bool first = true;
  absl::Status read = datafile::ForEachLine(path, [&](int64_t n, std::string_view text) {
    if (Blank(text)) return absl::OkStatus();
    const bool header_allowed = first;
    first = false;
    if (header_allowed && text == "user\titem\trating\tunix_time") return absl::OkStatus();
    ++report->lines;
    const std::vector<std::string_view> f = Fields(text, '\t');
    if (f.size() != 4) {
      return bad.Bad(path, n,
                     absl::StrCat("expected 4 tab-separated fields (user item rating unix_time), "
                                  "found ",
                                  f.size()));
    }
    if (f[0].empty()) return bad.Bad(path, n, "empty user");
    if (f[1].empty()) return bad.Bad(path, n, "empty item");
    float rating = kNoRating;
    if (!f[2].empty() && (!absl::SimpleAtof(Sv(f[2]), &rating) || !std::isfinite(rating))) {
      return bad.Bad(path, n, absl::StrCat("rating '", Sv(f[2]), "' is not a finite number"));
    }
    int64_t at = 0;
    if (std::string why = ParseTime(f[3], &at); !why.empty()) return bad.Bad(path, n, why);
    log.Add(log.InternUser(f[0]), log.InternItem(f[1]), rating, at);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return Finish(std::move(log), report, "lines of `user<TAB>item<TAB>rating<TAB>unix_time`");
}

absl::Status ValidateDataSource(const DataSource& source) {
  const int set = (source.beauty_dir.empty() ? 0 : 1) + (source.amazon_json.empty() ? 0 : 1) +
                  (source.tsv.empty() ? 0 : 1) + (source.pg_dsn.empty() ? 0 : 1);
  if (set == 1) return absl::OkStatus();
  return absl::InvalidArgumentError("pass exactly one of --beauty, --amazon-json, --tsv, --pg-dsn");
}

absl::StatusOr<InteractionLog> LoadInteractions(const DataSource& source,
                                                const LoadOptions& options, LoadReport* report) {
  if (absl::Status s = ValidateDataSource(source); !s.ok()) return s;
  if (!source.beauty_dir.empty()) return LoadBeautySequences(source.beauty_dir, options, report);
  if (!source.amazon_json.empty()) return LoadAmazonJson(source.amazon_json, options, report);
  if (!source.pg_dsn.empty()) {
    return absl::InvalidArgumentError("--pg-dsn: read through LoadSource (candor::reco_candor)");
  }
  return LoadTsv(source.tsv, options, report);
}

}  // namespace candor::reco
