#include "libs/reco/two_tower_net.h"

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

namespace candor::reco {
namespace {

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

struct TwoTowerNet::Impl {
  TwoTowerOptions options;
  TwoTowerExamples data;
  torch::Tensor log_q;          // [items]: log of each item's share of the targets
  torch::Tensor token_ids;      // content: every item's tokens, concatenated
  torch::Tensor token_offsets;  // content: where each item's tokens start
  std::shared_ptr<Net> net;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::mt19937_64 shuffle;
  int epoch = 0;

  // The history tensors for histories given as [first, end) index ranges in `events` (item ids,
  // oldest first): [B, N] rows (padding = the item count) and the valid mask.
  std::pair<torch::Tensor, torch::Tensor> HistoryTensors(
      const std::vector<int32_t>& events,
      const std::vector<std::pair<int64_t, int64_t>>& ranges) const {
    const int64_t n = options.history;
    const auto b = static_cast<int64_t>(ranges.size());
    torch::Tensor hist = torch::full({b, n}, data.num_items, torch::kLong);
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

TwoTowerNet::TwoTowerNet(const TwoTowerOptions& options, TwoTowerExamples examples)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.data = std::move(examples);
  torch::manual_seed(options.seed);
  torch::set_num_threads(options.threads);
  m.shuffle.seed(options.seed);
  const int64_t num_items = m.data.num_items;
  std::vector<double> count(static_cast<std::size_t>(num_items), 0);
  for (const int64_t t : m.data.targets) {
    count[static_cast<std::size_t>(m.data.items[static_cast<std::size_t>(t)])] += 1;
  }
  // Items never a target never appear as in-batch negatives; their q only has to be finite.
  std::vector<float> log_q(static_cast<std::size_t>(num_items));
  const auto total = static_cast<double>(m.data.targets.size());
  for (std::size_t i = 0; i < log_q.size(); ++i) {
    log_q[i] = static_cast<float>(std::log(std::max(count[i], 1.0) / total));
  }
  m.log_q = torch::tensor(log_q, torch::kFloat32);
  const bool content = !m.data.item_tokens.empty();
  if (content) {
    std::vector<int64_t> ids;
    std::vector<int64_t> offsets;
    for (const std::vector<int32_t>& tokens : m.data.item_tokens) {
      offsets.push_back(static_cast<int64_t>(ids.size()));
      ids.insert(ids.end(), tokens.begin(), tokens.end());
    }
    m.token_ids = torch::tensor(ids, torch::kLong);
    m.token_offsets = torch::tensor(offsets, torch::kLong);
  }
  m.net = std::make_shared<Net>(options, num_items, content);
  m.optimizer = std::make_unique<torch::optim::Adam>(
      m.net->parameters(),
      torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));
}

TwoTowerNet::~TwoTowerNet() = default;

EpochStats TwoTowerNet::RunEpoch() {
  Impl& m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  torch::set_num_threads(m.options.threads);
  m.net->train();
  std::vector<int64_t> order(m.data.targets.size());
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
      const int64_t e = m.data.targets[static_cast<std::size_t>(order[k])];
      const int64_t s = m.data.starts[static_cast<std::size_t>(order[k])];
      ranges.emplace_back(s, e);
      target_items.push_back(m.data.items[static_cast<std::size_t>(e)]);
    }
    if (ranges.size() < 2) break;  // a softmax over one item teaches nothing
    const auto [hist, valid] = m.HistoryTensors(m.data.items, ranges);
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

TwoTowerArrays TwoTowerNet::Export() const {
  const Impl& m = *impl_;
  torch::NoGradGuard no_grad;
  m.net->eval();
  TwoTowerArrays w;
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
  return w;
}

std::vector<float> TwoTowerNet::UserVectors(
    const std::vector<std::vector<int32_t>>& histories) const {
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
