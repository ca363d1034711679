#include "tools/candor-fraud-train/amazon_reviews.h"

#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"
#include "nlohmann/json.hpp"

namespace candor::fraud_train {
namespace {

// One line of any length, without its line end. False at the end of the file.
bool ReadLine(gzFile file, std::string* line) {
  line->clear();
  char buf[64 * 1024];
  while (gzgets(file, buf, sizeof(buf)) != nullptr) {
    line->append(buf);
    if (!line->empty() && line->back() == '\n') {
      line->pop_back();
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
  }
  return !line->empty();
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
  std::string line;
  while (ReadLine(file, &line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++stats->lines;
    const nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded() || !row.is_object()) {
      ++stats->malformed;
      continue;
    }
    SourceReview r;
    r.user = StringField(row, "reviewerID");
    r.asin = StringField(row, "asin");
    auto overall = row.find("overall");
    auto time = row.find("unixReviewTime");
    if (r.user.empty() || r.asin.empty() || overall == row.end() || !overall->is_number() ||
        time == row.end() || !time->is_number_integer()) {
      ++stats->malformed;
      continue;
    }
    r.rating = static_cast<int>(std::lround(overall->get<double>()));
    r.at = absl::FromUnixSeconds(time->get<int64_t>());
    r.title = StringField(row, "summary");
    r.body = StringField(row, "reviewText");
    if (!review::ValidateSubmission(
             review::SubmissionInput{r.asin, r.rating, r.title, r.body, false, ""})
             .ok()) {
      ++stats->invalid;
      continue;
    }
    out.push_back(std::move(r));
  }
  // gzgets returns null both at the end and on an error (a truncated or corrupt stream).
  int error = Z_OK;
  const char* message = gzerror(file, &error);
  const std::string what = message != nullptr ? message : "";
  gzclose(file);
  if (error != Z_OK && error != Z_STREAM_END) {
    return absl::DataLossError(absl::StrCat(path, ": read error: ", what));
  }
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
