#include "libs/reco/two_tower.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/reco/require.h"

namespace candor::reco {
namespace {

constexpr char kMagic[] = "candor-two-tower 1";

static_assert(std::endian::native == std::endian::little,
              "the model file stores little-endian float32 as is");

absl::Status SizeIs(const std::vector<float>& v, int64_t want, const char* name) {
  if (static_cast<int64_t>(v.size()) != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("two-tower weights: ", name, " has ", v.size(), " floats, want ", want));
  }
  return absl::OkStatus();
}

// Eight independent partial sums: without -ffast-math the compiler may not reorder one running
// sum, and eight lanes let it use SIMD (the evaluation scores every item for every user).
float Dot(const float* a, const float* b, int32_t n) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int32_t j = 0; j < 8; ++j) lane[j] += a[k + j] * b[k + j];
  }
  float s =
      ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; k < n; ++k) s += a[k] * b[k];
  return s;
}

// The arrays in file order, with their sizes (W: TwoTowerWeights, const or not).
template <typename W>
auto Arrays(W& w) {
  using Array = decltype(&w.item_input);
  const int64_t d = w.dim;
  const int64_t h = w.hidden;
  return std::vector<std::pair<Array, int64_t>>{{&w.item_input, int64_t{w.items} * d},
                                                {&w.item_vectors, int64_t{w.items} * d},
                                                {&w.attention_query, d},
                                                {&w.position_bias, w.history},
                                                {&w.user_w1, h * d},
                                                {&w.user_b1, h},
                                                {&w.user_w2, d * h},
                                                {&w.user_b2, d}};
}

}  // namespace

absl::Status TwoTowerWeights::Validate() const {
  if (dim <= 0 || hidden <= 0 || history <= 0 || items <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("two-tower weights: dim, hidden, history and items must be positive (", dim,
                     ", ", hidden, ", ", history, ", ", items, ")"));
  }
  if (static_cast<int64_t>(item_ids.size()) != items) {
    return absl::InvalidArgumentError(
        absl::StrCat("two-tower weights: ", item_ids.size(), " item ids for ", items, " items"));
  }
  const int64_t d = dim;
  const int64_t h = hidden;
  if (auto s = SizeIs(item_input, int64_t{items} * d, "item_input"); !s.ok()) return s;
  if (auto s = SizeIs(item_vectors, int64_t{items} * d, "item_vectors"); !s.ok()) return s;
  if (auto s = SizeIs(attention_query, d, "attention_query"); !s.ok()) return s;
  if (auto s = SizeIs(position_bias, history, "position_bias"); !s.ok()) return s;
  if (auto s = SizeIs(user_w1, h * d, "user_w1"); !s.ok()) return s;
  if (auto s = SizeIs(user_b1, h, "user_b1"); !s.ok()) return s;
  if (auto s = SizeIs(user_w2, d * h, "user_w2"); !s.ok()) return s;
  return SizeIs(user_b2, d, "user_b2");
}

void UserVector(const TwoTowerWeights& w, std::span<const int32_t> history, std::span<float> out,
                std::vector<float>& scratch) {
  const int32_t d = w.dim;
  Require(out.size() == static_cast<std::size_t>(d), "UserVector: out must have dim floats");
  const std::size_t n = std::min(history.size(), static_cast<std::size_t>(w.history));
  const std::span<const int32_t> read = history.subspan(history.size() - n);
  // scratch: [0, n) attention logits, then the pooled vector (d), then the hidden layer (H).
  scratch.assign(n + static_cast<std::size_t>(d) + static_cast<std::size_t>(w.hidden), 0.0F);
  float* logits = scratch.data();
  float* pool = logits + n;
  float* hid = pool + d;
  if (n > 0) {
    const float inv_sqrt_d = 1.0F / std::sqrt(static_cast<float>(d));
    float top = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
      Require(read[j] >= 0 && read[j] < w.items, "UserVector: a history row is out of range");
      const float* x = &w.item_input[static_cast<std::size_t>(read[j]) * d];
      const std::size_t position = n - 1 - j;  // 0 = the newest
      logits[j] = Dot(w.attention_query.data(), x, d) * inv_sqrt_d + w.position_bias[position];
      top = std::max(top, logits[j]);
    }
    float total = 0;
    for (std::size_t j = 0; j < n; ++j) {
      logits[j] = std::exp(logits[j] - top);
      total += logits[j];
    }
    for (std::size_t j = 0; j < n; ++j) {
      const float a = logits[j] / total;
      const float* x = &w.item_input[static_cast<std::size_t>(read[j]) * d];
      for (int32_t k = 0; k < d; ++k) pool[k] += a * x[k];
    }
  }
  for (int32_t r = 0; r < w.hidden; ++r) {
    const float v = Dot(&w.user_w1[static_cast<std::size_t>(r) * d], pool, d) + w.user_b1[r];
    hid[r] = v > 0 ? v : 0;
  }
  float norm = 0;
  for (int32_t k = 0; k < d; ++k) {
    out[k] = pool[k] + Dot(&w.user_w2[static_cast<std::size_t>(k) * w.hidden], hid, w.hidden) +
             w.user_b2[k];
    norm += out[k] * out[k];
  }
  // As torch.nn.functional.normalize: divide by max(norm, 1e-12).
  const float scale = 1.0F / std::max(std::sqrt(norm), 1e-12F);
  for (int32_t k = 0; k < d; ++k) out[k] *= scale;
}

absl::Status WriteTwoTower(const std::string& path, const TwoTowerWeights& weights,
                           const nlohmann::json& extra) {
  if (absl::Status s = weights.Validate(); !s.ok()) return s;
  nlohmann::json meta = extra.is_object() ? extra : nlohmann::json::object();
  meta["format"] = kMagic;
  meta["dim"] = weights.dim;
  meta["hidden"] = weights.hidden;
  meta["history"] = weights.history;
  meta["items"] = weights.items;
  meta["item_ids"] = weights.item_ids;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << kMagic << "\n" << meta.dump() << "\n";
  for (const auto& [array, size] : Arrays(weights)) {
    file.write(reinterpret_cast<const char*>(array->data()),
               static_cast<std::streamsize>(size * static_cast<int64_t>(sizeof(float))));
  }
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write the model file ", path));
  return absl::OkStatus();
}

absl::StatusOr<LoadedTwoTower> ReadTwoTower(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat("no model file ", path));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open the model file ", path));
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
  };
  std::string line;
  if (!std::getline(file, line) || line != kMagic) {
    return bad(absl::StrCat("not a two-tower model file (the first line is not '", kMagic, "')"));
  }
  if (!std::getline(file, line)) return bad("no metadata line");
  LoadedTwoTower out;
  out.metadata = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!out.metadata.is_object()) return bad("the metadata line is not a JSON object");
  TwoTowerWeights& w = out.weights;
  for (auto [key, field] : {std::pair{"dim", &w.dim}, std::pair{"hidden", &w.hidden},
                            std::pair{"history", &w.history}, std::pair{"items", &w.items}}) {
    const auto it = out.metadata.find(key);
    if (it == out.metadata.end() || !it->is_number_integer() || it->get<int64_t>() <= 0 ||
        it->get<int64_t>() > (int64_t{1} << 28)) {
      return bad(absl::StrCat("metadata '", key, "' is not a positive integer"));
    }
    *field = it->get<int32_t>();
  }
  if (int64_t{w.items} * w.dim > (int64_t{1} << 31)) return bad("items x dim is too large");
  const auto ids = out.metadata.find("item_ids");
  if (ids == out.metadata.end() || !ids->is_array() ||
      static_cast<int64_t>(ids->size()) != w.items) {
    return bad("metadata 'item_ids' is not an array of 'items' strings");
  }
  w.item_ids.reserve(ids->size());
  for (const auto& id : *ids) {
    if (!id.is_string()) return bad("metadata 'item_ids' holds a non-string");
    w.item_ids.push_back(id.get<std::string>());
  }
  for (const auto& [array, size] : Arrays(w)) {
    array->resize(static_cast<std::size_t>(size));
    file.read(reinterpret_cast<char*>(array->data()),
              static_cast<std::streamsize>(size * static_cast<int64_t>(sizeof(float))));
    if (!file) return bad("truncated weights");
    for (const float v : *array) {
      if (!std::isfinite(v)) return bad("a weight is not finite");
    }
  }
  if (file.peek() != std::ifstream::traits_type::eof()) return bad("data after the weights");
  if (absl::Status s = w.Validate(); !s.ok()) return bad(std::string(s.message()));
  return out;
}

TwoTowerModel::TwoTowerModel(TwoTowerWeights weights, std::string name)
    : weights_(std::move(weights)), name_(std::move(name)) {
  const absl::Status valid = weights_.Validate();
  Require(valid.ok(), std::string(valid.message()));
  user_.resize(static_cast<std::size_t>(weights_.dim));
}

int64_t TwoTowerModel::Bind(std::span<const std::string> item_ids) {
  absl::flat_hash_map<std::string_view, int32_t> row;
  row.reserve(weights_.item_ids.size());
  for (int32_t r = 0; r < weights_.items; ++r) row.emplace(weights_.item_ids[r], r);
  row_of_.assign(item_ids.size(), -1);
  int64_t known = 0;
  for (std::size_t i = 0; i < item_ids.size(); ++i) {
    const auto it = row.find(item_ids[i]);
    if (it == row.end()) continue;
    row_of_[i] = it->second;
    ++known;
  }
  return known;
}

int64_t TwoTowerModel::Bind(const InteractionLog& log) {
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(log.num_items()));
  for (int32_t i = 0; i < log.num_items(); ++i) ids.push_back(log.ItemId(i));
  return Bind(ids);
}

absl::Status TwoTowerModel::Fit(const Sequences& train) {
  if (row_of_.empty()) {
    if (train.num_items() > weights_.items) {
      return absl::InvalidArgumentError(
          absl::StrCat("the two-tower model has ", weights_.items, " items, the data ",
                       train.num_items(), ": bind the data's item ids (TwoTowerModel::Bind)"));
    }
    return absl::OkStatus();
  }
  if (static_cast<std::size_t>(train.num_items()) > row_of_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the data has ", train.num_items(), " items, the binding ", row_of_.size()));
  }
  if (std::all_of(row_of_.begin(), row_of_.end(), [](int32_t r) { return r < 0; })) {
    return absl::InvalidArgumentError(
        "the two-tower model knows none of the data's items (a model of other data?)");
  }
  return absl::OkStatus();
}

void TwoTowerModel::Score(const Query& query, std::span<float> scores) {
  rows_.clear();
  for (const Event& e : query.history) {
    const int32_t row = row_of_.empty() ? e.item : row_of_[static_cast<std::size_t>(e.item)];
    if (row >= 0) rows_.push_back(row);
  }
  UserVector(weights_, rows_, user_, scratch_);
  const int32_t d = weights_.dim;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const int32_t row = row_of_.empty() ? static_cast<int32_t>(i) : row_of_[i];
    scores[i] =
        row < 0 ? -std::numeric_limits<float>::infinity()
                : Dot(user_.data(), &weights_.item_vectors[static_cast<std::size_t>(row) * d], d);
  }
}

}  // namespace candor::reco
