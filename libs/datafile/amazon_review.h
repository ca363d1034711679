#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace candor::datafile {

// One row of an Amazon 2014 review file (McAuley's JSON lines, e.g. reviews_Beauty_5.json.gz):
// the fields Candor's tools read. Other fields (reviewerName, helpful, reviewTime) are ignored
// here; tools that need them parse the line themselves.
struct AmazonReview {
  std::string user;         // reviewerID
  std::string asin;         // asin
  double overall = 0;       // the star rating as written (1.0 .. 5.0 in the real files)
  int64_t unix_time = 0;    // unixReviewTime, seconds (the data has day resolution)
  std::string summary;      // empty when absent
  std::string review_text;  // empty when absent
};

// Parses one line. Requires a JSON object with non-empty string `reviewerID` and `asin`, a
// numeric `overall` and an integer `unixReviewTime`; `summary` and `reviewText` are optional
// strings. Errors: InvalidArgument whose message is the reason alone ("not a JSON object",
// "missing or empty reviewerID", ...), for the caller to prefix with file:line. Does not judge
// the values (a rating of 7 parses): each caller applies its own validation.
absl::StatusOr<AmazonReview> ParseAmazonReview(std::string_view line);

}  // namespace candor::datafile
