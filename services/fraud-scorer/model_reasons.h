#pragma once

#include <string>

#include "libs/fraud/features.h"
#include "libs/fraud/model.h"
#include "libs/review/reason.h"

namespace candor::fraud_scorer {

// A short English text for people about feature `f` having `value` ("12 reviews in the last 24
// hours"), shown to a moderator and to the author beside the stable code (FeatureName). Pure.
std::string ReasonText(fraud::Feature f, float value);

// The stored reason of one model contribution: code = the feature's name, its value, its
// contribution (log-odds) as the weight, and ReasonText. Pure.
review::Reason ReasonOf(const fraud::Contribution& c);

// The flag of a feature whose raw value was out of range and clamped (clock skew, a creation
// claim in the future): code "clamped:<name>", the clamped value, weight 0. Pure.
review::Reason ClampedReason(fraud::Feature f, const fraud::FeatureVector& values);

}  // namespace candor::fraud_scorer
