#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/reco/rank_features.h"

namespace candor::reco_api {

// The ranker's FeatureSource for one request: what the feature store (Redis, written from
// review-events) holds about the request's items, read in one pipeline and kept here, so that
// reco::ComputeFeatures (the trainer's own code) runs on it unchanged. Items are local ids: the
// index of their asin in `asins()`. Immutable once filled; one per request.
class FeatureSnapshot final : public reco::FeatureSource {
 public:
  FeatureSnapshot(std::vector<std::string> asins, int64_t recent_window_seconds)
      : asins_(std::move(asins)), window_(recent_window_seconds), items_(asins_.size()) {}

  int64_t recent_window_seconds() const override { return window_; }
  reco::ItemAggregates Item(int32_t item, int64_t now) const override;
  int64_t CoReviews(int32_t a, int32_t b) const override;
  std::span<const int32_t> Tokens(int32_t item) const override;

  const std::vector<std::string>& asins() const { return asins_; }
  // Filled by the store's reader: the aggregates are those at the `now` the reader was given.
  void SetItem(int32_t item, const reco::ItemAggregates& aggregates) {
    items_[static_cast<size_t>(item)] = aggregates;
  }
  void SetCoReviews(int32_t a, int32_t b, int64_t count);

 private:
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  std::vector<std::string> asins_;
  int64_t window_;
  std::vector<reco::ItemAggregates> items_;
  absl::flat_hash_map<uint64_t, int64_t> co_;
};

}  // namespace candor::reco_api
