#include "libs/helpfulness/score.h"

#include <algorithm>
#include <cmath>

namespace candor::helpfulness {
namespace {

// Below every key of a review with a helpful vote: log(wilson) of 1 of 10^12 votes is about -32,
// and the creation term adds at most decay * 84,000 days (2200). Far enough for any decay.
constexpr double kUnvotedFloor = -1e6;

double CreatedDays(absl::Time created) {
  static const absl::Time kLatest =
      absl::FromCivil(absl::CivilDay(2200, 1, 1), absl::UTCTimeZone());
  absl::Time t = std::clamp(created, absl::UnixEpoch(), kLatest);
  return absl::ToDoubleSeconds(t - absl::UnixEpoch()) / 86400.0;
}

}  // namespace

double WilsonLowerBound(int64_t helpful, int64_t total, double z) {
  if (total <= 0) return 0;
  helpful = std::clamp<int64_t>(helpful, 0, total);
  if (helpful == 0) return 0;
  const double n = static_cast<double>(total);
  const double p = static_cast<double>(helpful) / n;
  const double z2 = z * z;
  const double centre = p + z2 / (2 * n);
  const double spread = z * std::sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  return std::clamp((centre - spread) / (1 + z2 / n), 0.0, 1.0);
}

double Score(int64_t helpful, int64_t total, bool verified, double age_days,
             const ScoreParams& params) {
  const double wilson = WilsonLowerBound(helpful, total, params.z);
  const double decayed_days = std::max(std::max(age_days, 0.0) - params.grace_days, 0.0);
  const double recency = std::exp(-params.decay_per_day * decayed_days);
  return wilson * recency * (verified ? params.verified_boost : 1.0);
}

double SortKey(int64_t helpful, int64_t total, bool verified, absl::Time created,
               const ScoreParams& params) {
  const double recency = params.decay_per_day * CreatedDays(created);
  const double wilson = WilsonLowerBound(helpful, total, params.z);
  if (wilson <= 0) return kUnvotedFloor + recency;
  return std::log(wilson * (verified ? params.verified_boost : 1.0)) + recency;
}

}  // namespace candor::helpfulness
