#include "libs/reco/item_knn.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::reco {

std::string ItemKnn::Name() const {
  return absl::StrFormat("itemknn(k=%s,decay=%g)",
                         options_.neighbours > 0 ? absl::StrCat(options_.neighbours) : "all",
                         options_.decay);
}

void ItemKnn::SetScoring(int neighbours, double decay) {
  options_.neighbours = neighbours;
  options_.decay = decay;
}

std::span<const ItemKnn::Neighbour> ItemKnn::NeighboursOf(int32_t item) const {
  return std::span<const Neighbour>(neighbours_)
      .subspan(static_cast<std::size_t>(offsets_[item]),
               static_cast<std::size_t>(offsets_[item + 1] - offsets_[item]));
}

absl::Status ItemKnn::Fit(const Sequences& train) {
  if (train.num_events() == 0) return absl::InvalidArgumentError("itemknn: no train event");
  const auto items = static_cast<std::size_t>(train.num_items());
  const int32_t users = train.num_users();

  // Each user's distinct items (a repeat does not co-occur with itself twice), and the
  // inverted index item -> users.
  std::vector<int64_t> user_offsets(static_cast<std::size_t>(users) + 1, 0);
  std::vector<int32_t> user_items;
  std::vector<int32_t> seen(items, -1);
  std::vector<int64_t> item_users_count(items, 0);
  for (int32_t u = 0; u < users; ++u) {
    for (const Event& e : train.Of(u)) {
      if (seen[e.item] == u) continue;
      seen[e.item] = u;
      user_items.push_back(e.item);
      ++item_users_count[e.item];
    }
    user_offsets[u + 1] = static_cast<int64_t>(user_items.size());
  }
  std::vector<int64_t> item_offsets(items + 1, 0);
  for (std::size_t i = 0; i < items; ++i)
    item_offsets[i + 1] = item_offsets[i] + item_users_count[i];
  std::vector<int32_t> item_users(static_cast<std::size_t>(item_offsets[items]));
  {
    std::vector<int64_t> next(item_offsets.begin(), item_offsets.end() - 1);
    for (int32_t u = 0; u < users; ++u) {
      for (int64_t p = user_offsets[u]; p < user_offsets[u + 1]; ++p) {
        item_users[static_cast<std::size_t>(next[user_items[p]]++)] = u;
      }
    }
  }

  // Row by row: co-counts of item i in a dense accumulator, then the top neighbours by cosine.
  offsets_.assign(items + 1, 0);
  neighbours_.clear();
  std::vector<int32_t> co(items, 0);
  std::vector<int32_t> touched;
  std::vector<Neighbour> row;
  for (std::size_t i = 0; i < items; ++i) {
    touched.clear();
    for (int64_t p = item_offsets[i]; p < item_offsets[i + 1]; ++p) {
      const int32_t u = item_users[p];
      for (int64_t q = user_offsets[u]; q < user_offsets[u + 1]; ++q) {
        const int32_t j = user_items[q];
        if (static_cast<std::size_t>(j) == i) continue;
        if (co[j]++ == 0) touched.push_back(j);
      }
    }
    row.clear();
    for (const int32_t j : touched) {
      const double cosine = co[j] / std::sqrt(static_cast<double>(item_users_count[i]) *
                                              static_cast<double>(item_users_count[j]));
      row.push_back(Neighbour{j, static_cast<float>(cosine)});
      co[j] = 0;
    }
    const auto more_similar = [](const Neighbour& a, const Neighbour& b) {
      return a.similarity != b.similarity ? a.similarity > b.similarity : a.item < b.item;
    };
    std::size_t keep = row.size();
    if (options_.max_neighbours > 0) {
      keep = std::min(keep, static_cast<std::size_t>(options_.max_neighbours));
    }
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(),
                      more_similar);
    neighbours_.insert(neighbours_.end(), row.begin(),
                       row.begin() + static_cast<std::ptrdiff_t>(keep));
    offsets_[i + 1] = static_cast<int64_t>(neighbours_.size());
  }

  const double most =
      static_cast<double>(*std::max_element(item_users_count.begin(), item_users_count.end()));
  backfill_.resize(items);
  for (std::size_t i = 0; i < items; ++i) {
    backfill_[i] = static_cast<float>(-1.0 + static_cast<double>(item_users_count[i]) / (most + 1));
  }
  return absl::OkStatus();
}

void ItemKnn::Score(const Query& query, std::span<float> scores) {
  std::fill(scores.begin(), scores.end(), 0.0F);
  double weight = 1.0;
  for (auto it = query.history.rbegin(); it != query.history.rend(); ++it) {
    std::span<const Neighbour> near = NeighboursOf(it->item);
    if (options_.neighbours > 0 && near.size() > static_cast<std::size_t>(options_.neighbours)) {
      near = near.first(static_cast<std::size_t>(options_.neighbours));
    }
    const auto w = static_cast<float>(weight);
    for (const Neighbour& n : near) scores[static_cast<std::size_t>(n.item)] += w * n.similarity;
    weight *= options_.decay;
  }
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] == 0.0F) scores[i] = backfill_[i];
  }
}

}  // namespace candor::reco
