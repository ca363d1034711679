#include "libs/reco/metrics.h"

#include <algorithm>
#include <cmath>

namespace candor::reco {

HitNdcg ExpectedAtK(int64_t greater, int64_t ties, int k) {
  HitNdcg out;
  const int64_t last = std::min<int64_t>(greater + ties, k - 1);  // the last rank inside @k
  if (greater > last) return out;
  const double positions = static_cast<double>(ties + 1);
  for (int64_t r = greater; r <= last; ++r) out.ndcg += 1.0 / std::log2(static_cast<double>(r) + 2);
  out.hit = static_cast<double>(last - greater + 1) / positions;
  out.ndcg /= positions;
  return out;
}

}  // namespace candor::reco
