#pragma once

#include <cstdint>

namespace candor::reco {

// HR@k and NDCG@k of one held-out item.
struct HitNdcg {
  double hit = 0;
  double ndcg = 0;
};

// The expected HR@k and NDCG@k of a single target that `greater` candidates outscore and `ties`
// other candidates score exactly the same, the ties placed in a uniformly random order. With
// 0-based rank r: HR@k = [r < k] and NDCG@k = [r < k] / log2(r + 2) (one relevant item, so the
// ideal DCG is 1). Averaging over the ties, instead of a fixed tie order, keeps a constant or
// sparse scorer from being credited or punished by item numbering. O(min(ties, k)).
HitNdcg ExpectedAtK(int64_t greater, int64_t ties, int k);

}  // namespace candor::reco
