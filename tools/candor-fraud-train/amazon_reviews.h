#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::fraud_train {

// One real review from an Amazon 2014 JSON-lines file: the material of a genuine shopper.
struct SourceReview {
  std::string user;  // reviewerID
  std::string asin;
  int rating = 0;     // overall, rounded
  std::string title;  // summary
  std::string body;   // reviewText
  absl::Time at;      // unixReviewTime (the data has day resolution)
};

// What reading one file found, for the progress output and the model's metadata.
struct SourceStats {
  std::string path;
  int64_t bytes = 0;      // file size
  int64_t lines = 0;      // non-empty lines
  int64_t malformed = 0;  // not JSON, or without reviewerID / asin / overall / unixReviewTime
  int64_t invalid = 0;    // refused by the gateway's validation (libs/review): never scored
  int64_t used = 0;
};

// Reads an Amazon 2014 JSON-lines file (gzip or plain): reviewerID, asin, overall, summary,
// reviewText, unixReviewTime; other fields are ignored. Keeps the rows the gateway would accept
// (review::ValidateSubmission), in file order. Errors: NotFound when the file cannot be opened,
// DataLoss on a corrupt gzip stream, InvalidArgument when it holds no usable review.
absl::StatusOr<std::vector<SourceReview>> ReadAmazonReviews(const std::string& path,
                                                            SourceStats* stats);

}  // namespace candor::fraud_train
