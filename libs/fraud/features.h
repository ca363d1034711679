#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::fraud {

// The fraud model's inputs, in the model's input order (design.md 4, the seed's fraud section,
// and the features Candor adds). Every time window runs on the review's own time (ReviewFacts::at),
// never on the wall clock, so a replay of years of reviews is judged as it happened. The model's
// metadata lists FeatureName() of each, in this order; a model whose list differs is refused.
// Adding a feature: append it before kCount, document it in README.md, retrain.
enum class Feature : int {
  // The author (account-level; "prior" = the author's reviews recorded before this one).
  kAccountAgeDays,   // (at - account creation) in days; creation = the identity provider's
                     // claim when given, else the first time Candor saw the account
  kLifetimeReviews,  // prior reviews, all time
  kVerifiedRatio,    // prior verified / prior reviews; 0 when none
  kAvgRatingGiven,   // mean of prior ratings; 3 when none
  kRatingVariance,   // population variance of prior ratings; 1 when none
  // The author's session (this review included).
  kReviews24h,           // reviews in (at - 24 h, at]
  kReviews7d,            // reviews in (at - 7 d, at]
  kDistinctProducts24h,  // distinct products among the 24 h reviews
  kAvgTextLength7d,      // mean body length (code points) of the 7 d reviews
  kDatacenterIp,         // 1 when the client address is in the configured CIDR list
  // The product (this review included).
  kProductVelocityRatio,  // reviews in (at - 1 h, at] / max(reviews in (at - 30 d, at] / 720, 0.1)
  kProductNewAccountRatio,  // share of the product's 24 h reviews whose author's account was
                            // younger than 30 days at that review
  kRatingSpikeDelta,        // |mean after this rating - mean before| over the product's prior
                            // reviews as the scorer saw them; 0 for its first review
  // Beyond the seed.
  kNearDupSimilarity,     // highest estimated Jaccard similarity (MinHash) of this text with a
                          // review of the same product by another account in the last 30 days
  kNearDupAccounts,       // distinct other accounts whose 30 d reviews of the product have an
                          // estimated similarity >= 0.5 with this text
  kSharedIpRejected,      // distinct other accounts rejected in the last 30 days from this IP
  kSharedDeviceRejected,  // distinct other accounts rejected in the last 30 days on this device
  // The review itself.
  kRating,            // 1..5
  kVerifiedPurchase,  // 0 / 1
  kTextLength,        // body length in code points
  kRatingDeviation,   // rating - mean of the product's prior reviews; 0 for its first review
  kCount,
};

inline constexpr std::size_t kFeatureCount = static_cast<std::size_t>(Feature::kCount);

// The stable machine-readable name of a feature ("account_age_days"): the model metadata's
// feature names and the reason codes stored with each decision.
std::string_view FeatureName(Feature f);

// All names, in model input order.
const std::array<std::string_view, kFeatureCount>& FeatureNames();

// One review's features, indexed by Feature.
using FeatureVector = std::array<float, kFeatureCount>;

// One review's features as computed, with the features whose raw value was out of range (clock
// skew, a negative age, an absurd count) and was clamped into range: flagged, never a crash.
struct FeatureRow {
  FeatureVector values{};
  std::vector<Feature> clamped;
};

inline float& At(FeatureVector& v, Feature f) { return v[static_cast<std::size_t>(f)]; }
inline float At(const FeatureVector& v, Feature f) { return v[static_cast<std::size_t>(f)]; }

}  // namespace candor::fraud
