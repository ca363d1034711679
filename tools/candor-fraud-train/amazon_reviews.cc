#include "tools/candor-fraud-train/amazon_reviews.h"

#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/datafile/amazon_review.h"
#include "libs/datafile/line_reader.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"

namespace candor::fraud_train {

absl::StatusOr<std::vector<SourceReview>> ReadAmazonReviews(const std::string& path,
                                                            SourceStats* stats) {
  *stats = SourceStats{};
  stats->path = path;
  stats->bytes = datafile::FileSize(path);

  std::vector<SourceReview> out;
  const absl::Status read =
      datafile::ForEachLine(path, [&](int64_t /*line_number*/, std::string_view line) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return absl::OkStatus();
        ++stats->lines;
        absl::StatusOr<datafile::AmazonReview> row = datafile::ParseAmazonReview(line);
        if (!row.ok()) {
          ++stats->malformed;
          return absl::OkStatus();
        }
        SourceReview r;
        r.user = std::move(row->user);
        r.asin = std::move(row->asin);
        r.rating = static_cast<int>(std::lround(row->overall));
        r.at = absl::FromUnixSeconds(row->unix_time);
        r.title = std::move(row->summary);
        r.body = std::move(row->review_text);
        if (!review::ValidateSubmission(
                 review::SubmissionInput{r.asin, r.rating, r.title, r.body, false, ""})
                 .ok()) {
          ++stats->invalid;
          return absl::OkStatus();
        }
        out.push_back(std::move(r));
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
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
