#include "libs/reco/popularity.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace candor::reco {

std::string Popularity::Name() const {
  return window_days_ > 0 ? absl::StrCat("popularity(window=", window_days_, "d)") : "popularity";
}

absl::Status Popularity::Fit(const Sequences& train) {
  if (train.num_events() == 0) return absl::InvalidArgumentError("popularity: no train event");
  all_time_.assign(static_cast<std::size_t>(train.num_items()), 0);
  by_time_.clear();
  for (int32_t u = 0; u < train.num_users(); ++u) {
    for (const Event& e : train.Of(u)) {
      ++all_time_[static_cast<std::size_t>(e.item)];
      if (window_days_ > 0) by_time_.push_back(e);
    }
  }
  tie_scale_ = 1.0 / static_cast<double>(*std::max_element(all_time_.begin(), all_time_.end()) + 1);
  std::stable_sort(by_time_.begin(), by_time_.end(),
                   [](const Event& a, const Event& b) { return a.unix_time < b.unix_time; });
  in_window_.assign(all_time_.size(), 0);
  added_ = removed_ = 0;
  last_now_ = 0;
  return absl::OkStatus();
}

void Popularity::Score(const Query& query, std::span<float> scores) {
  if (window_days_ <= 0) {
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = static_cast<float>(all_time_[i]);
    return;
  }
  if (query.now < last_now_) {
    std::fill(in_window_.begin(), in_window_.end(), 0);
    added_ = removed_ = 0;
  }
  last_now_ = query.now;
  // The window is [now - window, now): strictly before the request, so that on day-resolution
  // data nothing from the request's own day counts.
  const int64_t from = query.now - window_days_ * 86400;
  for (; added_ < by_time_.size() && by_time_[added_].unix_time < query.now; ++added_) {
    ++in_window_[static_cast<std::size_t>(by_time_[added_].item)];
  }
  for (; removed_ < added_ && by_time_[removed_].unix_time < from; ++removed_) {
    --in_window_[static_cast<std::size_t>(by_time_[removed_].item)];
  }
  for (std::size_t i = 0; i < scores.size(); ++i) {
    scores[i] = static_cast<float>(static_cast<double>(in_window_[i]) +
                                   static_cast<double>(all_time_[i]) * tie_scale_);
  }
}

}  // namespace candor::reco
