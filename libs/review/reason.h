#pragma once

#include <string>

namespace candor::review {

// Why a review was scored as it was: one piece of evidence, stored with the decision in the
// fraud audit row and the moderation queue row, and shown to a moderator and to the author.
// Plain data.
struct Reason {
  std::string code;   // stable, machine-readable: a feature name ("reviews_24h") or a rule name
  double value = 0;   // the feature's value for this review (0 when the code has none)
  double weight = 0;  // its share of the score (model contribution, or rule weight)
  std::string text;   // short English text for people ("12 reviews in the last 24 hours")

  bool operator==(const Reason&) const = default;
};

}  // namespace candor::review
