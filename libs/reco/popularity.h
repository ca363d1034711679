#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libs/reco/recommender.h"

namespace candor::reco {

// Popularity: an item scores the number of train interactions it has. With a window, the score is
// the count in the `window_days` days before the query's time (that instant excluded: on
// day-resolution data, nothing of the request's own day), and the all-time count
// breaks ties (so items quiet in the window are still ordered): the cold-start list of issue 14.
// The same list for everyone apart from the window.
//
// Scoring with a window slides over the train events sorted by time; queries in increasing time
// order cost O(events) in total, a query earlier than the last one restarts the slide.
class Popularity : public Recommender {
 public:
  explicit Popularity(int64_t window_days = 0) : window_days_(window_days) {}

  std::string Name() const override;
  absl::Status Fit(const Sequences& train) override;
  void Score(const Query& query, std::span<float> scores) override;

 private:
  int64_t window_days_;
  std::vector<int64_t> all_time_;
  double tie_scale_ = 0;        // all-time count x this < 1
  std::vector<Event> by_time_;  // window only
  std::vector<int64_t> in_window_;
  std::size_t added_ = 0;    // by_time_[0, added_) have time <= the last query's now
  std::size_t removed_ = 0;  // by_time_[0, removed_) have fallen out of the window
  int64_t last_now_ = 0;
};

}  // namespace candor::reco
