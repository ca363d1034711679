#include "tools/candor-fraud-train/amazon_reviews.h"

#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"
#include "nlohmann/json.hpp"

namespace candor::fraud_train {
namespace {

// Calls `on_line` with every line of the gzip or plain file (gzread reads both), without its
// line end, reading a megabyte at a time. False when the stream is corrupt; `error` says why.
bool ForEachLine(gzFile file, const std::function<void(std::string_view)>& on_line,
                 std::string* error) {
  std::vector<char> chunk(1 << 20);
  std::string pending;
  for (;;) {
    const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = Z_OK;
      const char* message = gzerror(file, &code);
      *error = message != nullptr ? message : "read error";
      return false;
    }
    if (n == 0) break;
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t end = pending.find('\n'); end != std::string::npos;
         end = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line(line);
      start = end + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
  return true;
}

std::string StringField(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

absl::StatusOr<std::vector<SourceReview>> ReadAmazonReviews(const std::string& path,
                                                            SourceStats* stats) {
  *stats = SourceStats{};
  stats->path = path;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  gzFile file = ec ? nullptr : gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  stats->bytes = static_cast<int64_t>(size);

  std::vector<SourceReview> out;
  std::string error;
  const bool read = ForEachLine(
      file,
      [&](std::string_view line) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        ++stats->lines;
        const nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (row.is_discarded() || !row.is_object()) {
          ++stats->malformed;
          return;
        }
        SourceReview r;
        r.user = StringField(row, "reviewerID");
        r.asin = StringField(row, "asin");
        auto overall = row.find("overall");
        auto time = row.find("unixReviewTime");
        if (r.user.empty() || r.asin.empty() || overall == row.end() || !overall->is_number() ||
            time == row.end() || !time->is_number_integer()) {
          ++stats->malformed;
          return;
        }
        r.rating = static_cast<int>(std::lround(overall->get<double>()));
        r.at = absl::FromUnixSeconds(time->get<int64_t>());
        r.title = StringField(row, "summary");
        r.body = StringField(row, "reviewText");
        if (!review::ValidateSubmission(
                 review::SubmissionInput{r.asin, r.rating, r.title, r.body, false, ""})
                 .ok()) {
          ++stats->invalid;
          return;
        }
        out.push_back(std::move(r));
      },
      &error);
  gzclose(file);
  if (!read) return absl::DataLossError(absl::StrCat(path, ": read error: ", error));
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no usable review (", stats->lines, " lines, ", stats->malformed,
                     " malformed, ", stats->invalid,
                     " refused by validation); expected Amazon JSON lines with reviewerID, "
                     "asin, overall, unixReviewTime, summary, reviewText"));
  }
  stats->used = static_cast<int64_t>(out.size());
  return out;
}

}  // namespace candor::fraud_train
