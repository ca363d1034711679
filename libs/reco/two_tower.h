#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/recommender.h"
#include "nlohmann/json.hpp"

namespace candor::reco {

// The two-tower model's exported weights: what tools/candor-reco-train writes and what reco-api
// and tools/candor-reco-eval run without libtorch (README.md, "Two-tower model").
//
// User tower, for a history h_1..h_n (oldest first), of which the last `history` items are read:
//   x_j   = item_input[h_j]                      (the item's input vector: id + content)
//   p_j   = position of h_j counted from the newest (0 = the most recent item)
//   a_j   = softmax_j( dot(attention_query, x_j) / sqrt(dim) + position_bias[p_j] )
//   pool  = sum_j a_j x_j                        (the zero vector for an empty history)
//   hid   = relu(user_w1 pool + user_b1)
//   u     = normalise(pool + user_w2 hid + user_b2)   (L2; a zero vector stays zero)
// Item tower: item_vectors holds every item's L2-normalised output, computed by the trainer.
// Score(user, item) = dot(u, item_vectors[item]); the training temperature only scales it.
struct TwoTowerWeights {
  int32_t dim = 0;                     // D: the width of item_input, item_vectors and u
  int32_t hidden = 0;                  // H: the user MLP's hidden width
  int32_t history = 0;                 // N: how many of the newest history items the tower reads
  int32_t items = 0;                   // I: rows of item_input / item_vectors
  std::vector<std::string> item_ids;   // I source ids, row order
  std::vector<float> item_input;       // I x D, row-major
  std::vector<float> item_vectors;     // I x D, row-major, rows L2-normalised
  std::vector<float> attention_query;  // D
  std::vector<float> position_bias;    // N
  std::vector<float> user_w1;          // H x D, row-major
  std::vector<float> user_b1;          // H
  std::vector<float> user_w2;          // D x H, row-major
  std::vector<float> user_b2;          // D

  // InvalidArgument naming the first vector whose size does not match the dims.
  absl::Status Validate() const;
};

// The user tower above, run by hand: writes u (dim floats) for `history` (model rows, oldest
// first; only the last `weights.history` are read). Rows must be < weights.items (checked).
// `scratch` is reused between calls (no allocation once grown).
void UserVector(const TwoTowerWeights& weights, std::span<const int32_t> history,
                std::span<float> out, std::vector<float>& scratch);

// The model file: a first line `candor-two-tower 1`, a second line with one JSON object (the
// metadata below), then the float32 arrays (little-endian) in the order item_input,
// item_vectors, attention_query, position_bias, user_w1, user_b1, user_w2, user_b2, their sizes
// given by the metadata's dim / hidden / history / items. The metadata object has "format",
// "dim", "hidden", "history", "items", "item_ids" and whatever `extra` adds (seed, epochs, data
// checksum, evaluation: candor-reco-train's report).
// Errors: InvalidArgument when the weights do not validate, Internal when the file cannot be
// written.
absl::Status WriteTwoTower(const std::string& path, const TwoTowerWeights& weights,
                           const nlohmann::json& extra);

struct LoadedTwoTower {
  TwoTowerWeights weights;
  nlohmann::json metadata;  // the whole metadata object (item_ids included)
};

// Reads a model file. Errors: NotFound when it does not exist; InvalidArgument naming the file
// and what is wrong (not a two-tower file, bad metadata, truncated or overlong data, a
// non-finite weight).
absl::StatusOr<LoadedTwoTower> ReadTwoTower(const std::string& path);

// The exported model as a Recommender. Fit does not train: it binds the model to the data's dense
// item ids (see Bind) and checks the model covers them. Score is the dot product of the user
// vector of the query's history with every item vector; items the model does not know score
// -inf (never recommended), unknown items in the history are skipped.
// Not thread-safe (scratch buffers): one instance per thread.
class TwoTowerModel : public Recommender {
 public:
  explicit TwoTowerModel(TwoTowerWeights weights, std::string name = "twotower");

  // Maps the data's dense item ids (their source ids, dense order) to model rows. Without a Bind,
  // dense id == model row (the trainer's own data). Returns how many ids the model knows.
  int64_t Bind(std::span<const std::string> item_ids);
  // Binds to `log`'s items (InteractionLog::ItemId order).
  int64_t Bind(const InteractionLog& log);

  std::string Name() const override { return name_; }
  // InvalidArgument when the data has more items than the binding covers (unbound: more than
  // the model's rows) or the model knows none of them.
  absl::Status Fit(const Sequences& train) override;
  void Score(const Query& query, std::span<float> scores) override;

  const TwoTowerWeights& weights() const { return weights_; }

 private:
  TwoTowerWeights weights_;
  std::string name_;
  std::vector<int32_t> row_of_;  // dense id -> model row or -1; empty: identity
  std::vector<int32_t> rows_;
  std::vector<float> user_;
  std::vector<float> scratch_;
};

}  // namespace candor::reco
