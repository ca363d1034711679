#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/two_tower.h"

namespace candor::reco {

// How the two-tower model (two_tower.h) is trained. README.md, "Two-tower model", says why each
// default is what it is.
struct TwoTowerOptions {
  int dim = 64;                 // D
  int hidden = 128;             // H, both towers' MLP
  int history = 20;             // N: the newest items the user tower reads
  double temperature = 0.05;    // logits = dot(u, v) / temperature
  int batch = 256;              // examples per step; the other targets of a batch are the negatives
  double learning_rate = 1e-3;  // Adam
  double weight_decay = 0;      // Adam's L2 term
  bool logq = true;  // subtract log(sampling probability) of each in-batch item from its logit
  int content_buckets = 0;  // hashed content-token buckets; 0: id only (no content)
  uint64_t seed = 1;        // torch::manual_seed and the example shuffle
  int threads = 1;          // torch intra-op threads; 1 is bit-for-bit reproducible
};

// What one epoch did.
struct EpochStats {
  int epoch = 0;         // 1-based
  double loss = 0;       // mean in-batch softmax loss over the epoch's steps
  int64_t examples = 0;  // (history, next item) pairs seen
  double seconds = 0;    // wall time of the epoch
};

// Trains the two-tower model with libtorch (CPU). The only interface to libtorch in Candor: its
// header names no torch type, so only two_tower_trainer.cc (target candor::reco_torch) compiles
// torch headers.
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
  ~TwoTowerTrainer();
  TwoTowerTrainer(const TwoTowerTrainer&) = delete;
  TwoTowerTrainer& operator=(const TwoTowerTrainer&) = delete;

  // One pass over the examples in a seeded random order.
  EpochStats RunEpoch();

  // The weights as they are now, for the plain-C++ TwoTowerModel and the model file.
  TwoTowerWeights Export() const;

  // The user tower's output computed by libtorch (no gradient) for each history (dense item ids,
  // oldest first), dim floats per history concatenated: what the test compares with UserVector.
  std::vector<float> TorchUserVectors(std::span<const std::vector<int32_t>> histories) const;

  int64_t examples() const;

 private:
  struct Impl;
  explicit TwoTowerTrainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::reco
