#include "libs/datafile/amazon_review.h"

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace candor::datafile {
namespace {

// The string at `key`, or empty when it is absent or not a string.
std::string StringField(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

absl::StatusOr<AmazonReview> ParseAmazonReview(std::string_view line) {
  const nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded()) return absl::InvalidArgumentError("not JSON");
  if (!row.is_object()) return absl::InvalidArgumentError("not a JSON object");
  AmazonReview r;
  r.user = StringField(row, "reviewerID");
  if (r.user.empty()) return absl::InvalidArgumentError("missing or empty reviewerID");
  r.asin = StringField(row, "asin");
  if (r.asin.empty()) return absl::InvalidArgumentError("missing or empty asin");
  auto overall = row.find("overall");
  if (overall == row.end() || !overall->is_number()) {
    return absl::InvalidArgumentError("missing or non-numeric overall");
  }
  r.overall = overall->get<double>();
  auto time = row.find("unixReviewTime");
  if (time == row.end() || !time->is_number_integer()) {
    return absl::InvalidArgumentError("missing or non-integer unixReviewTime");
  }
  r.unix_time = time->get<int64_t>();
  r.summary = StringField(row, "summary");
  r.review_text = StringField(row, "reviewText");
  return r;
}

}  // namespace candor::datafile
