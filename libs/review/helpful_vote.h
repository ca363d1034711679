#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace candor::review {

// A shopper's word on whether a review helped: the latest one counts, kRetracted takes an
// earlier vote back.
enum class Vote { kHelpful, kNotHelpful, kRetracted };

// One vote as told on `helpful-votes` (keyed by asin): the voter's latest word on one review.
// Plain data; libs/events encodes, decodes and validates it.
struct HelpfulVote {
  std::string review_id;  // 32 lower-case hex characters
  std::string asin;       // the review's product
  std::string user_id;    // the voter
  Vote vote = Vote::kHelpful;
  // When the gateway took it: orders one user's votes on one review.
  absl::Time voted_at = absl::UnixEpoch();
  bool operator==(const HelpfulVote&) const = default;
};

// A review's helpfulness as the ranker last computed it, as told on `review-scores` (keyed by
// asin): its counts and ranking key, or that it left the ranking (`ranked` false). Plain data.
struct ReviewScore {
  std::string review_id;
  std::string asin;
  int64_t helpful_votes = 0;
  int64_t total_votes = 0;
  double sort_key = 0.0;  // libs/helpfulness SortKey; higher ranks first
  bool ranked = true;     // false once the review is no longer active
  absl::Time scored_at = absl::UnixEpoch();
  bool operator==(const ReviewScore&) const = default;
};

}  // namespace candor::review
