#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/two_tower.h"
#include "libs/reco/two_tower_net.h"

namespace candor::reco {

// Trains the two-tower model with libtorch (CPU). Names no torch type: only two_tower_net.cc
// (target candor::reco_torch) compiles torch headers.
//
// Examples: for each user and each position t >= 1 of their train sequence, the item at t is the
// target and the (at most `history`) items before t are the user tower's input: nothing after t
// is read, and only the sequences given (the train split) are seen. Loss: softmax over the
// batch's targets (sampled softmax with in-batch negatives), each logit minus log q(item) where
// q is the item's share of all targets (the logQ correction of Yi et al. 2019); another example's
// target equal to the positive is masked out.
// Not thread-safe; the object owns its torch state.
class TwoTowerTrainer {
 public:
  // `train`: every user's train events (oldest first). `item_ids`: the source id of every dense
  // item (size == train.num_items()). `item_tokens`: empty (no content) or one list of content
  // tokens per item, each in [0, options.content_buckets) (item_content.h makes them).
  // Errors: InvalidArgument on bad options, mismatched sizes, a token out of range, or no example.
  static absl::StatusOr<std::unique_ptr<TwoTowerTrainer>> Create(
      const TwoTowerOptions& options, const Sequences& train, std::vector<std::string> item_ids,
      std::vector<std::vector<int32_t>> item_tokens);

  // One pass over the examples in a seeded random order.
  EpochStats RunEpoch();

  // The weights as they are now, for the plain-C++ TwoTowerModel and the model file.
  TwoTowerWeights Export() const;

  // The user tower's output computed by libtorch (no gradient) for each history (dense item ids,
  // oldest first), dim floats per history concatenated: what the test compares with UserVector.
  std::vector<float> TorchUserVectors(std::span<const std::vector<int32_t>> histories) const;

  int64_t examples() const { return examples_; }

 private:
  TwoTowerTrainer(const TwoTowerOptions& options, std::vector<std::string> item_ids,
                  TwoTowerExamples examples);
  TwoTowerOptions options_;
  std::vector<std::string> item_ids_;
  int64_t examples_ = 0;
  TwoTowerNet net_;
};

}  // namespace candor::reco
