#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::fraud_scorer {

// A user's recent activity as seen by the sliding windows, including the review just recorded.
struct UserActivity {
  int64_t reviews_24h = 0;   // the user's submissions in the 24 h up to the event
  int64_t products_24h = 0;  // distinct products the user reviewed in those 24 h
  int64_t reviews_7d = 0;    // the user's submissions kept in the window (7 days)
};

// One review to record in a batch (the arguments of BehaviourWindow::Record).
struct WindowEntry {
  std::string user_id;
  std::string review_id;
  std::string asin;
  absl::Time at;
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

  // Records `entries` in order, with the same effect and results as one Record call each (so a
  // user's second review in a batch sees the first), and returns one result per entry, in
  // order. Adapters override it to save round trips; this default calls Record per entry.
  virtual std::vector<absl::StatusOr<UserActivity>> RecordBatch(
      const std::vector<WindowEntry>& entries, absl::Time now) {
    std::vector<absl::StatusOr<UserActivity>> out;
    out.reserve(entries.size());
    for (const WindowEntry& e : entries) {
      out.push_back(Record(e.user_id, e.review_id, e.asin, e.at, now));
    }
    return out;
  }
};

}  // namespace candor::fraud_scorer
