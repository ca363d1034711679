#pragma once

// The libtorch half of the two-tower trainer behind an interface that names no torch type and
// is plain C++17: clang 14 (so clang-tidy) cannot parse libtorch 1.13's headers as C++20, so
// two_tower_net.cc, the one file that includes them, is compiled as C++17 (target
// candor::reco_torch). Use TwoTowerTrainer (two_tower_trainer.h), which checks the input.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace candor::reco {

// How the two-tower model (two_tower.h) is trained. README.md, "Two-tower model", says why each
// default is what it is.
struct TwoTowerOptions {
  int dim = 64;                 // D
  int hidden = 128;             // H, both towers' MLP
  int history = 20;             // N: the newest items the user tower reads
  double temperature = 0.1;     // logits = dot(u, v) / temperature
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

// The training data, flat: every train event's item with users concatenated, and per example
// the index in `items` where its user's events start and the index of its target (its history
// is [start, target)).
struct TwoTowerExamples {
  int64_t num_items = 0;
  std::vector<int32_t> items;
  std::vector<int64_t> starts;
  std::vector<int64_t> targets;
  std::vector<std::vector<int32_t>> item_tokens;  // empty, or per item in [0, content_buckets)
};

// The trained arrays, laid out as TwoTowerWeights (two_tower.h) documents.
struct TwoTowerArrays {
  std::vector<float> item_input;
  std::vector<float> item_vectors;
  std::vector<float> attention_query;
  std::vector<float> position_bias;
  std::vector<float> user_w1;
  std::vector<float> user_b1;
  std::vector<float> user_w2;
  std::vector<float> user_b2;
};

// The networks, the Adam state and the seeded example order. Inputs must be valid (checked by
// TwoTowerTrainer::Create). Not thread-safe.
class TwoTowerNet {
 public:
  TwoTowerNet(const TwoTowerOptions& options, TwoTowerExamples examples);
  ~TwoTowerNet();
  TwoTowerNet(const TwoTowerNet&) = delete;
  TwoTowerNet& operator=(const TwoTowerNet&) = delete;

  EpochStats RunEpoch();
  TwoTowerArrays Export() const;
  // The user tower by libtorch (no gradient), dim floats per history (item ids, oldest first).
  std::vector<float> UserVectors(const std::vector<std::vector<int32_t>>& histories) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::reco
