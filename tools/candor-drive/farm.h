#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/candor-drive/spinner.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// A review farm, as design.md section 4 describes it: many fresh accounts, each posting one
// 5-star review, all slightly varied copies of one text, about a small set of target products.
// Deterministic from the seed (different seeds: different accounts, targets and base text).
// Every review passes the gateway's validation and, on purpose, none of the text rules of
// fraud-scorer's rules-v1 (no shouting, at most one '!', bodies well over 40 characters): only
// cross-account near-duplicate detection (a later issue) can catch it.
class Farm {
 public:
  Farm(uint64_t seed, int64_t products);

  // The n-th farm review (n >= 0): account "farm<tag>-<n>", target products taken in turn.
  Review Make(int64_t n) const;
  // The target products' ASINs ("B0FM" + 6 digits).
  const std::vector<std::string>& targets() const { return targets_; }

 private:
  TextSpinner spinner_;
  std::string tag_;
  std::vector<std::string> targets_;
};

}  // namespace candor::drive
