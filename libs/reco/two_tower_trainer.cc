#include "libs/reco/two_tower_trainer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/reco/require.h"

namespace candor::reco {

TwoTowerTrainer::TwoTowerTrainer(const TwoTowerOptions& options, std::vector<std::string> item_ids,
                                 TwoTowerExamples examples)
    : options_(options),
      item_ids_(std::move(item_ids)),
      examples_(static_cast<int64_t>(examples.targets.size())),
      net_(options, std::move(examples)) {}

absl::StatusOr<std::unique_ptr<TwoTowerTrainer>> TwoTowerTrainer::Create(
    const TwoTowerOptions& options, const Sequences& train, std::vector<std::string> item_ids,
    std::vector<std::vector<int32_t>> item_tokens) {
  const TwoTowerOptions& o = options;
  if (o.dim < 1 || o.hidden < 1 || o.history < 1 || o.batch < 2 || !(o.temperature > 0) ||
      !(o.learning_rate > 0) || o.weight_decay < 0 || o.content_buckets < 0 || o.threads < 1) {
    return absl::InvalidArgumentError(
        "two-tower options: dim, hidden, history, threads >= 1, batch >= 2, temperature and "
        "learning rate > 0, weight decay and content buckets >= 0");
  }
  if (static_cast<int64_t>(item_ids.size()) != train.num_items() || item_ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(item_ids.size(), " item ids for ", train.num_items(), " items (or no item)"));
  }
  if (!item_tokens.empty()) {
    if (o.content_buckets < 1 || item_tokens.size() != item_ids.size()) {
      return absl::InvalidArgumentError(
          "content tokens need content buckets >= 1 and one token list per item");
    }
    for (const std::vector<int32_t>& tokens : item_tokens) {
      for (const int32_t t : tokens) {
        if (t < 0 || t >= o.content_buckets) {
          return absl::InvalidArgumentError(
              absl::StrCat("content token ", t, " outside [0, ", o.content_buckets, ")"));
        }
      }
    }
  }
  TwoTowerExamples examples;
  examples.num_items = train.num_items();
  examples.item_tokens = std::move(item_tokens);
  for (int32_t u = 0; u < train.num_users(); ++u) {
    const std::span<const Event> events = train.Of(u);
    const auto start = static_cast<int64_t>(examples.items.size());
    for (std::size_t t = 0; t < events.size(); ++t) {
      examples.items.push_back(events[t].item);
      if (t == 0) continue;  // no history to predict it from
      examples.starts.push_back(start);
      examples.targets.push_back(start + static_cast<int64_t>(t));
    }
  }
  if (examples.targets.empty()) {
    return absl::InvalidArgumentError("no training example: no user has two train interactions");
  }
  return std::unique_ptr<TwoTowerTrainer>(
      new TwoTowerTrainer(options, std::move(item_ids), std::move(examples)));
}

EpochStats TwoTowerTrainer::RunEpoch() { return net_.RunEpoch(); }

TwoTowerWeights TwoTowerTrainer::Export() const {
  TwoTowerArrays a = net_.Export();
  TwoTowerWeights w;
  w.dim = options_.dim;
  w.hidden = options_.hidden;
  w.history = options_.history;
  w.items = static_cast<int32_t>(item_ids_.size());
  w.item_ids = item_ids_;
  w.item_input = std::move(a.item_input);
  w.item_vectors = std::move(a.item_vectors);
  w.attention_query = std::move(a.attention_query);
  w.position_bias = std::move(a.position_bias);
  w.user_w1 = std::move(a.user_w1);
  w.user_b1 = std::move(a.user_b1);
  w.user_w2 = std::move(a.user_w2);
  w.user_b2 = std::move(a.user_b2);
  // The net's shapes follow the options: a mismatch is a bug here, not bad input.
  const absl::Status valid = w.Validate();
  Require(valid.ok(), std::string(valid.message()));
  return w;
}

std::vector<float> TwoTowerTrainer::TorchUserVectors(
    std::span<const std::vector<int32_t>> histories) const {
  return net_.UserVectors(std::vector<std::vector<int32_t>>(histories.begin(), histories.end()));
}

}  // namespace candor::reco
