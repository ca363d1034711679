#pragma once

// Tests only: a two-tower model whose neighbours are predictable. Header-only.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/reco/two_tower.h"

namespace candor::reco::testing {

// Weights whose user vector is the normalised mean of the history's item inputs: no attention
// preference (a zero query, no position bias over `history` positions) and a zero MLP. Item i,
// `asins[i]`, sits on the unit circle at `degrees[i]`, as its input and as its vector, so the
// items nearest a history are the ones at the nearest angles. Not validated: callers check
// Validate() (or WriteTwoTower does).
inline TwoTowerWeights CircleWeights(const std::vector<std::string>& asins,
                                     const std::vector<double>& degrees, int32_t history) {
  TwoTowerWeights w;
  w.dim = 2;
  w.hidden = 1;
  w.history = history;
  w.items = static_cast<int32_t>(asins.size());
  w.item_ids = asins;
  for (double d : degrees) {
    const double r = d * M_PI / 180.0;
    for (double v : {std::cos(r), std::sin(r)}) {
      w.item_input.push_back(static_cast<float>(v));
      w.item_vectors.push_back(static_cast<float>(v));
    }
  }
  w.attention_query = {0, 0};
  w.position_bias.assign(static_cast<size_t>(history), 0);
  w.user_w1 = {0, 0};
  w.user_b1 = {0};
  w.user_w2 = {0, 0};
  w.user_b2 = {0, 0};
  return w;
}

}  // namespace candor::reco::testing
