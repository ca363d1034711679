#pragma once

#include <string>
#include <variant>

#include "absl/time/time.h"

namespace candor::review {

// The review passed scoring (or moderation) and is active: it counts. Carries what a consumer
// of review-events may need without reading the reviews table.
struct ReviewAccepted {
  int rating = 0;  // 1..5
  bool verified_purchase = false;
  std::string user_id;
  bool operator==(const ReviewAccepted&) const = default;
};

// The review was removed (soft delete): it stops counting.
struct ReviewRemoved {
  std::string reason_code;
  bool operator==(const ReviewRemoved&) const = default;
};

// A removed review was restored: it counts again.
struct ReviewRestored {
  std::string reason_code;
  bool operator==(const ReviewRestored&) const = default;
};

// What happened to one review, as told on `review-events` (keyed by asin, so one product's
// changes are ordered). Plain data; libs/events encodes, decodes and validates it.
struct ReviewEvent {
  std::string review_id;  // 32 lower-case hex characters
  std::string asin;
  // When it happened; absl::InfinitePast() when the producer did not say.
  absl::Time occurred_at = absl::InfinitePast();
  std::variant<ReviewAccepted, ReviewRemoved, ReviewRestored> change;
  bool operator==(const ReviewEvent&) const = default;
};

}  // namespace candor::review
