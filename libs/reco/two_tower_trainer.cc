#include "libs/reco/two_tower_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <random>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::reco {
namespace {

// A broken precondition is a bug in the caller: crash with the reason (style.md).
void Require(bool ok, std::string_view what) {
  if (ok) return;
  std::cerr << "two_tower_trainer: " << what << "\n";
  std::abort();
}

namespace F = torch::nn::functional;

// Both towers' networks. Item input x_i = id_embedding[i] (+ the mean of its content tokens'
// embeddings); item vector v_i = normalise(x_i + item MLP(x_i)); user vector as two_tower.h
// describes, over the same x of the history items.
struct Net : torch::nn::Module {
  Net(const TwoTowerOptions& o, int64_t num_items, bool content) : dim(o.dim), history(o.history) {
    id_embedding = register_module("id_embedding", torch::nn::Embedding(num_items, o.dim));
    torch::nn::init::normal_(id_embedding->weight, 0, 0.1);
    if (content) {
      token_embedding = register_module(
          "token_embedding",
          torch::nn::EmbeddingBag(
              torch::nn::EmbeddingBagOptions(o.content_buckets, o.dim).mode(torch::kMean)));
      torch::nn::init::normal_(token_embedding->weight, 0, 0.1);
    }
    // Zero at the start: plain mean pooling until the data says otherwise.
    attention_query = register_parameter("attention_query", torch::zeros({o.dim}));
    position_bias = register_parameter("position_bias", torch::zeros({o.history}));
    user_l1 = register_module("user_l1", torch::nn::Linear(o.dim, o.hidden));
    user_l2 = register_module("user_l2", torch::nn::Linear(o.hidden, o.dim));
    item_l1 = register_module("item_l1", torch::nn::Linear(o.dim, o.hidden));
    item_l2 = register_module("item_l2", torch::nn::Linear(o.hidden, o.dim));
  }

  // Every item's input vector, [items, D].
  torch::Tensor ItemInputs(const torch::Tensor& token_ids, const torch::Tensor& token_offsets) {
    torch::Tensor x = id_embedding->weight;
    if (token_embedding) x = x + token_embedding->forward(token_ids, token_offsets);
    return x;
  }

  // Item vectors for the inputs x, [n, D], L2-normalised rows.
  torch::Tensor ItemTower(const torch::Tensor& x) {
    return F::normalize(x + item_l2->forward(torch::relu(item_l1->forward(x))),
                        F::NormalizeFuncOptions().dim(1));
  }

  // User vectors for `hist` [B, N] (row `items` = padding; column k = k-th newest item),
  // `valid` [B, N] bool, over the item inputs x [items, D].
  torch::Tensor UserTower(const torch::Tensor& x, const torch::Tensor& hist,
                          const torch::Tensor& valid) {
    // The padding row is zero, so a history with no item pools to the zero vector.
    const torch::Tensor padded = torch::cat({x, torch::zeros({1, dim})}, 0);
    const torch::Tensor h = padded.index_select(0, hist.reshape({-1})).reshape({-1, history, dim});
    torch::Tensor logits =
        torch::matmul(h, attention_query) / std::sqrt(static_cast<double>(dim)) + position_bias;
    // A finite fill, not -inf: a row with nothing valid gets uniform weights over zero vectors.
    logits = logits.masked_fill(valid.logical_not(), -1e9);
    const torch::Tensor a = torch::softmax(logits, 1);
    const torch::Tensor pool = (a.unsqueeze(2) * h).sum(1);
    return F::normalize(pool + user_l2->forward(torch::relu(user_l1->forward(pool))),
                        F::NormalizeFuncOptions().dim(1));
  }

  int64_t dim;
  int64_t history;
  torch::nn::Embedding id_embedding{nullptr};
  torch::nn::EmbeddingBag token_embedding{nullptr};
  torch::Tensor attention_query;
  torch::Tensor position_bias;
  torch::nn::Linear user_l1{nullptr};
  torch::nn::Linear user_l2{nullptr};
  torch::nn::Linear item_l1{nullptr};
  torch::nn::Linear item_l2{nullptr};
};

std::vector<float> ToVector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

struct TwoTowerTrainer::Impl {
  TwoTowerOptions options;
  std::vector<std::string> item_ids;
  std::vector<int32_t> items;    // every train event's item, users concatenated
  std::vector<int64_t> starts;   // per example: where its user's events start in `items`
  std::vector<int64_t> targets;  // per example: the target's index in `items`
  torch::Tensor log_q;           // [items]: log of each item's share of the targets
  torch::Tensor token_ids;       // content: every item's tokens, concatenated
  torch::Tensor token_offsets;   // content: where each item's tokens start
  std::shared_ptr<Net> net;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::mt19937_64 shuffle;
  int epoch = 0;

  // The history tensors for histories given as [first, end) index ranges in `events` (item ids,
  // oldest first): [B, N] rows (padding = the item count) and the valid mask.
  std::pair<torch::Tensor, torch::Tensor> HistoryTensors(
      std::span<const int32_t> events, std::span<const std::pair<int64_t, int64_t>> ranges) const {
    const int64_t n = options.history;
    const int64_t b = static_cast<int64_t>(ranges.size());
    torch::Tensor hist = torch::full({b, n}, static_cast<int64_t>(item_ids.size()), torch::kLong);
    torch::Tensor valid = torch::zeros({b, n}, torch::kBool);
    auto h = hist.accessor<int64_t, 2>();
    auto v = valid.accessor<bool, 2>();
    for (int64_t r = 0; r < b; ++r) {
      const auto [first, end] = ranges[static_cast<std::size_t>(r)];
      for (int64_t k = 0; k < n && end - 1 - k >= first; ++k) {
        h[r][k] = events[static_cast<std::size_t>(end - 1 - k)];
        v[r][k] = true;
      }
    }
    return {hist, valid};
  }
};

TwoTowerTrainer::TwoTowerTrainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TwoTowerTrainer::~TwoTowerTrainer() = default;

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
  const bool content = !item_tokens.empty();
  if (content && (o.content_buckets < 1 || item_tokens.size() != item_ids.size())) {
    return absl::InvalidArgumentError(
        "content tokens need --content-buckets >= 1 and one token list per item");
  }

  torch::manual_seed(o.seed);
  torch::set_num_threads(o.threads);
  auto impl = std::make_unique<Impl>();
  impl->options = o;
  impl->item_ids = std::move(item_ids);
  impl->shuffle.seed(o.seed);
  const int64_t num_items = train.num_items();
  std::vector<double> count(static_cast<std::size_t>(num_items), 0);
  for (int32_t u = 0; u < train.num_users(); ++u) {
    const std::span<const Event> events = train.Of(u);
    const auto start = static_cast<int64_t>(impl->items.size());
    for (std::size_t t = 0; t < events.size(); ++t) {
      impl->items.push_back(events[t].item);
      if (t == 0) continue;  // no history to predict it from
      impl->starts.push_back(start);
      impl->targets.push_back(start + static_cast<int64_t>(t));
      count[static_cast<std::size_t>(events[t].item)] += 1;
    }
  }
  if (impl->targets.empty()) {
    return absl::InvalidArgumentError("no training example: no user has two train interactions");
  }
  // Items never a target never appear as in-batch negatives; their q only has to be finite.
  impl->log_q = torch::empty({num_items}, torch::kFloat32);
  const double total = static_cast<double>(impl->targets.size());
  for (int64_t i = 0; i < num_items; ++i) {
    impl->log_q[i] =
        static_cast<float>(std::log(std::max(count[static_cast<std::size_t>(i)], 1.0) / total));
  }

  if (content) {
    std::vector<int64_t> ids;
    std::vector<int64_t> offsets;
    for (const std::vector<int32_t>& tokens : item_tokens) {
      offsets.push_back(static_cast<int64_t>(ids.size()));
      for (const int32_t t : tokens) {
        if (t < 0 || t >= o.content_buckets) {
          return absl::InvalidArgumentError(
              absl::StrCat("content token ", t, " outside [0, ", o.content_buckets, ")"));
        }
        ids.push_back(t);
      }
    }
    impl->token_ids = torch::tensor(ids, torch::kLong);
    impl->token_offsets = torch::tensor(offsets, torch::kLong);
  }
  impl->net = std::make_shared<Net>(o, num_items, content);
  impl->optimizer = std::make_unique<torch::optim::Adam>(
      impl->net->parameters(),
      torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
  return std::unique_ptr<TwoTowerTrainer>(new TwoTowerTrainer(std::move(impl)));
}

int64_t TwoTowerTrainer::examples() const { return static_cast<int64_t>(impl_->targets.size()); }

EpochStats TwoTowerTrainer::RunEpoch() {
  Impl& m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  torch::set_num_threads(m.options.threads);
  m.net->train();
  std::vector<int64_t> order(m.targets.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), m.shuffle);

  EpochStats stats;
  stats.epoch = ++m.epoch;
  double loss_sum = 0;
  int64_t steps = 0;
  const auto batch = static_cast<std::size_t>(m.options.batch);
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::vector<int64_t> target_items;
  for (std::size_t first = 0; first + 1 < order.size(); first += batch) {
    const std::size_t end = std::min(order.size(), first + batch);
    ranges.clear();
    target_items.clear();
    for (std::size_t k = first; k < end; ++k) {
      const int64_t e = m.targets[static_cast<std::size_t>(order[k])];
      const int64_t s = m.starts[static_cast<std::size_t>(order[k])];
      ranges.emplace_back(s, e);
      target_items.push_back(m.items[static_cast<std::size_t>(e)]);
    }
    if (ranges.size() < 2) break;  // a softmax over one item teaches nothing
    const auto [hist, valid] = m.HistoryTensors(m.items, ranges);
    const torch::Tensor target = torch::tensor(target_items, torch::kLong);

    const torch::Tensor x = m.net->ItemInputs(m.token_ids, m.token_offsets);
    const torch::Tensor u = m.net->UserTower(x, hist, valid);
    const torch::Tensor v = m.net->ItemTower(x.index_select(0, target));
    torch::Tensor logits = torch::matmul(u, v.t()) / m.options.temperature;
    if (m.options.logq) logits = logits - m.log_q.index_select(0, target).unsqueeze(0);
    // Another row's target equal to this row's positive is not a negative.
    const torch::Tensor same = target.unsqueeze(1).eq(target.unsqueeze(0));
    const torch::Tensor eye = torch::eye(static_cast<int64_t>(ranges.size()), torch::kBool);
    logits = logits.masked_fill(same.logical_and(eye.logical_not()), -1e9);
    const torch::Tensor labels = torch::arange(static_cast<int64_t>(ranges.size()), torch::kLong);
    const torch::Tensor loss = F::cross_entropy(logits, labels);

    m.optimizer->zero_grad();
    loss.backward();
    m.optimizer->step();
    loss_sum += loss.item<double>();
    ++steps;
    stats.examples += static_cast<int64_t>(ranges.size());
  }
  stats.loss = steps > 0 ? loss_sum / static_cast<double>(steps) : 0;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

TwoTowerWeights TwoTowerTrainer::Export() const {
  const Impl& m = *impl_;
  torch::NoGradGuard no_grad;
  m.net->eval();
  TwoTowerWeights w;
  w.dim = m.options.dim;
  w.hidden = m.options.hidden;
  w.history = m.options.history;
  w.items = static_cast<int32_t>(m.item_ids.size());
  w.item_ids = m.item_ids;
  const torch::Tensor x = m.net->ItemInputs(m.token_ids, m.token_offsets);
  w.item_input = ToVector(x);
  w.item_vectors = ToVector(m.net->ItemTower(x));
  w.attention_query = ToVector(m.net->attention_query);
  w.position_bias = ToVector(m.net->position_bias);
  // torch's Linear keeps weight as [out, in], row-major: the layout two_tower.h documents.
  w.user_w1 = ToVector(m.net->user_l1->weight);
  w.user_b1 = ToVector(m.net->user_l1->bias);
  w.user_w2 = ToVector(m.net->user_l2->weight);
  w.user_b2 = ToVector(m.net->user_l2->bias);
  const absl::Status valid = w.Validate();
  Require(valid.ok(), std::string(valid.message()));
  return w;
}

std::vector<float> TwoTowerTrainer::TorchUserVectors(
    std::span<const std::vector<int32_t>> histories) const {
  const Impl& m = *impl_;
  torch::NoGradGuard no_grad;
  m.net->eval();
  std::vector<int32_t> events;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const std::vector<int32_t>& h : histories) {
    const auto first = static_cast<int64_t>(events.size());
    events.insert(events.end(), h.begin(), h.end());
    ranges.emplace_back(first, static_cast<int64_t>(events.size()));
  }
  const auto [hist, valid] = m.HistoryTensors(events, ranges);
  const torch::Tensor x = m.net->ItemInputs(m.token_ids, m.token_offsets);
  return ToVector(m.net->UserTower(x, hist, valid));
}

}  // namespace candor::reco
