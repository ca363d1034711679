#include "services/reco-api/feature_snapshot.h"

namespace candor::reco_api {

reco::ItemAggregates FeatureSnapshot::Item(int32_t item, int64_t /*now*/) const {
  if (item < 0 || static_cast<size_t>(item) >= items_.size()) return {};
  return items_[static_cast<size_t>(item)];
}

int64_t FeatureSnapshot::CoReviews(int32_t a, int32_t b) const {
  if (a == b) return 0;
  auto it = co_.find(Key(a, b));
  return it == co_.end() ? 0 : it->second;
}

std::span<const int32_t> FeatureSnapshot::Tokens(int32_t /*item*/) const {
  return {};  // review-events carry no product content: the category feature stays missing
}

void FeatureSnapshot::SetCoReviews(int32_t a, int32_t b, int64_t count) {
  if (a == b || count == 0) return;
  co_[Key(a, b)] = count;
  co_[Key(b, a)] = count;
}

}  // namespace candor::reco_api
