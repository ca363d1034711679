#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::fraud_scorer {

// A user's recent activity as seen by the sliding windows, including the review just recorded.
struct UserActivity {
  int64_t reviews_24h = 0;   // the user's submissions in the 24 h up to the event
  int64_t products_24h = 0;  // distinct products the user reviewed in those 24 h
  int64_t reviews_7d = 0;    // the user's submissions kept in the window (7 days)
};

// Port: per-user sliding windows of submissions that the scorer keeps itself (design.md 4).
// Record adds the review (idempotent per review id: recording it again only moves its time to
// `at`) and returns the activity including it. Entries older than 7 days before `now` are dropped.
// Returns Unavailable when the store cannot be reached; never throws. Thread-safe.
class BehaviourWindow {
 public:
  virtual ~BehaviourWindow() = default;
  virtual absl::StatusOr<UserActivity> Record(const std::string& user_id,
                                              const std::string& review_id, const std::string& asin,
                                              absl::Time at, absl::Time now) = 0;
};

}  // namespace candor::fraud_scorer
