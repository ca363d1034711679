#include "services/fraud-scorer/model_reasons.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::fraud_scorer {
namespace {

std::string Percent(float share) { return absl::StrFormat("%.0f%%", 100.0 * share); }
std::string Count(float v) { return absl::StrFormat("%.0f", std::round(v)); }
// Debian's Abseil has its own string_view.
absl::string_view Name(fraud::Feature f) {
  const std::string_view name = fraud::FeatureName(f);
  return {name.data(), name.size()};
}

}  // namespace

std::string ReasonText(fraud::Feature f, float v) {
  using fraud::Feature;
  switch (f) {
    case Feature::kAccountAgeDays:
      return absl::StrCat("account ", Count(v), " days old");
    case Feature::kLifetimeReviews:
      return absl::StrCat(Count(v), " earlier reviews by this account");
    case Feature::kVerifiedRatio:
      return absl::StrCat(Percent(v), " of this account's earlier reviews are verified purchases");
    case Feature::kAvgRatingGiven:
      return absl::StrFormat("this account's earlier ratings average %.1f stars", v);
    case Feature::kRatingVariance:
      return absl::StrFormat("this account's earlier ratings vary by %.2f (variance)", v);
    case Feature::kReviews24h:
      return absl::StrCat(Count(v), " reviews by this account in 24 hours");
    case Feature::kReviews7d:
      return absl::StrCat(Count(v), " reviews by this account in 7 days");
    case Feature::kDistinctProducts24h:
      return absl::StrCat(Count(v), " products reviewed by this account in 24 hours");
    case Feature::kAvgTextLength7d:
      return absl::StrCat("this account's reviews of the last 7 days average ", Count(v),
                          " characters");
    case Feature::kDatacenterIp:
      return v > 0.5F ? "sent from a datacenter network" : "not sent from a datacenter network";
    case Feature::kProductVelocityRatio:
      return absl::StrFormat("the product gets %.1f times its usual reviews per hour", v);
    case Feature::kProductNewAccountRatio:
      return absl::StrCat(Percent(v),
                          " of the product's reviews in 24 hours come from accounts under 30 "
                          "days old");
    case Feature::kRatingSpikeDelta:
      return absl::StrFormat("would move the product's average by %.2f stars", v);
    case Feature::kNearDupSimilarity:
      return absl::StrCat("text ", Percent(v),
                          " similar to another account's review of this product");
    case Feature::kNearDupAccounts:
      return absl::StrCat(Count(v), " other accounts posted near-identical text on this product");
    case Feature::kSharedIpRejected:
      return absl::StrCat("network address shared with ", Count(v), " rejected accounts");
    case Feature::kSharedDeviceRejected:
      return absl::StrCat("device shared with ", Count(v), " rejected accounts");
    case Feature::kRating:
      return absl::StrCat(Count(v), " stars");
    case Feature::kVerifiedPurchase:
      return v > 0.5F ? "a verified purchase" : "not a verified purchase";
    case Feature::kTextLength:
      return absl::StrCat("text of ", Count(v), " characters");
    case Feature::kRatingDeviation:
      return absl::StrFormat("%+.1f stars from the product's average", v);
    case Feature::kCount:
      break;
  }
  return absl::StrCat(Name(f), " = ", v);
}

review::Reason ReasonOf(const fraud::Contribution& c) {
  return review::Reason{.code = std::string(fraud::FeatureName(c.feature)),
                        .value = static_cast<double>(c.value),
                        .weight = static_cast<double>(c.weight),
                        .text = ReasonText(c.feature, c.value)};
}

review::Reason ClampedReason(fraud::Feature f, const fraud::FeatureVector& values) {
  const float v = fraud::At(values, f);
  return review::Reason{.code = absl::StrCat("clamped:", Name(f)),
                        .value = static_cast<double>(v),
                        .weight = 0,
                        .text = absl::StrCat(Name(f),
                                             " was out of range (clock skew or a bad claim) and "
                                             "was clamped to ",
                                             v)};
}

}  // namespace candor::fraud_scorer
