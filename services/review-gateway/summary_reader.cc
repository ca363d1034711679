#include "services/review-gateway/summary_reader.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/review/validation.h"

namespace candor::gateway {

absl::StatusOr<review::RatingAggregate> SummaryReader::Read(const std::string& asin) {
  if (!review::IsValidAsin(asin)) {
    return absl::InvalidArgumentError(
        "asin: must be 10 characters of A-Z and 0-9 (an Amazon standard id)");
  }
  absl::StatusOr<std::optional<review::RatingAggregate>> cached = cache_.Get(asin);
  if (cached.ok() && cached->has_value()) {
    if ((*cached)->count == 0) return absl::NotFoundError(absl::StrCat("no reviews for ", asin));
    return **cached;
  }
  if (!cached.ok()) spdlog::warn("rating cache read failed, using postgres: {}", cached.status());

  absl::StatusOr<std::optional<review::RatingAggregate>> stored = store_.Get(asin);
  if (!stored.ok())
    return absl::UnavailableError(absl::StrCat("ratings unavailable: ", stored.status().message()));
  if (!stored->has_value()) return absl::NotFoundError(absl::StrCat("no reviews for ", asin));
  if (cached.ok()) {
    // Repair: versioned, so it can never overwrite a newer aggregate the aggregator wrote.
    if (absl::StatusOr<bool> put = cache_.Put(**stored); !put.ok()) {
      spdlog::warn("rating cache repair for {} failed: {}", asin, put.status());
    }
  }
  if ((*stored)->count == 0) return absl::NotFoundError(absl::StrCat("no reviews for ", asin));
  return **stored;
}

}  // namespace candor::gateway
