#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "libs/events/reco_impressions.h"
#include "libs/review/review_event.h"

namespace candor::reco_conversion {

// One arm's outcome. The unit is the user (assignment is per user): a user converts when they
// review a product that reco-api showed them, within `window` after the impression that showed
// it (the first impression counts; a review before any impression never does).
struct VariantResult {
  std::string experiment;
  std::string variant;
  int64_t users = 0;            // users with at least one impression in this arm
  int64_t impressions = 0;      // answers logged
  int64_t items_shown = 0;      // items in those answers
  int64_t converted_users = 0;  // users with at least one converting review
  int64_t conversions = 0;      // converting reviews (a user may have several)
  double rate = 0;              // converted_users / users
  double ci_low = 0;            // Wilson 95 % interval of `rate`
  double ci_high = 0;
  // Against the experiment's first arm (by name order; empty for that arm): rate difference and
  // its 95 % normal-approximation interval (unpooled standard error).
  std::string baseline;
  double diff = 0;
  double diff_low = 0;
  double diff_high = 0;
};

// The Wilson score interval of k successes in n trials at z (1.96: 95 %). {0, 0} for n == 0.
std::pair<double, double> WilsonInterval(int64_t k, int64_t n, double z = 1.96);

// Joins impressions with later reviews. Feed it every impression and every review event (any
// order; duplicates of an impression by request id and of an acceptance by review id count
// once), then Compute. Not thread-safe.
class ConversionJoin {
 public:
  void AddImpression(const events::RecoImpression& impression);
  // Accepted events are candidate conversions (their time: occurred_at); a Removed event takes a
  // review out again (a review removed as fraud converts nothing); Restored puts it back.
  void AddReviewEvent(const review::ReviewEvent& event);
  // One row per (experiment, variant), ordered by experiment then variant.
  std::vector<VariantResult> Compute(absl::Duration window) const;

  int64_t impressions() const { return static_cast<int64_t>(seen_requests_.size()); }
  int64_t reviews() const { return static_cast<int64_t>(reviews_.size()); }

 private:
  struct Shown {
    absl::Time at;
    std::string experiment;
    std::string variant;
    std::vector<std::string> asins;
  };
  struct Review {
    std::string user;
    std::string asin;
    absl::Time at;
    bool active = true;
  };
  absl::flat_hash_map<std::string, bool> seen_requests_;
  std::map<std::string, std::vector<Shown>> shown_by_user_;
  absl::flat_hash_map<std::string, Review> reviews_;  // by review id
};

}  // namespace candor::reco_conversion
