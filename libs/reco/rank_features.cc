#include "libs/reco/rank_features.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/reco/require.h"

namespace candor::reco {
namespace {

constexpr double kDay = 86400;

void Set(RankFeatureVector& v, RankFeature f, double value) {
  v[static_cast<std::size_t>(f)] = static_cast<float>(value);
}

// |a ∩ b| / |a ∪ b| of two sorted distinct lists.
double Jaccard(std::span<const int32_t> a, std::span<const int32_t> b) {
  std::size_t i = 0;
  std::size_t j = 0;
  std::size_t common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  const std::size_t all = a.size() + b.size() - common;
  return all == 0 ? 0 : static_cast<double>(common) / static_cast<double>(all);
}

double Cosine(int64_t co, int64_t na, int64_t nb) {
  if (co <= 0 || na <= 0 || nb <= 0) return 0;
  return static_cast<double>(co) / std::sqrt(static_cast<double>(na) * static_cast<double>(nb));
}

}  // namespace

const std::array<std::string_view, kRankFeatureCount>& RankFeatureNames() {
  static constexpr std::array<std::string_view, kRankFeatureCount> kNames = {
      "tower_score",
      "tower_rank",
      "tower_gap",
      "item_interactions",
      "item_recent",
      "item_days_since_last",
      "item_age_days",
      "item_rating_mean",
      "item_rating_count",
      "co_reviews_last",
      "co_reviews_last2",
      "co_reviews_history_sum",
      "co_reviews_history_max",
      "co_cosine_last",
      "co_cosine_decayed",
      "history_items_co_reviewed",
      "category_affinity",
      "history_length",
      "days_since_last_event",
  };
  return kNames;
}

absl::StatusOr<std::vector<RankFeature>> FindRankFeatures(std::span<const std::string> names) {
  std::vector<RankFeature> out;
  for (const std::string& name : names) {
    const auto& all = RankFeatureNames();
    const auto it = std::find(all.begin(), all.end(), name);
    if (it == all.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown ranker feature \"", name, "\""));
    }
    out.push_back(static_cast<RankFeature>(it - all.begin()));
  }
  return out;
}

RankFeatureVector ComputeFeatures(const FeatureSource& source, std::span<const Event> history,
                                  const Candidate& candidate, float best_tower_score, int64_t now) {
  RankFeatureVector v{};
  const int32_t c = candidate.item;
  Set(v, RankFeature::kTowerScore, candidate.tower_score);
  Set(v, RankFeature::kTowerRank, candidate.tower_rank);
  Set(v, RankFeature::kTowerGap, static_cast<double>(best_tower_score) - candidate.tower_score);

  const ItemAggregates item = source.Item(c, now);
  Set(v, RankFeature::kItemInteractions, static_cast<double>(item.interactions));
  Set(v, RankFeature::kItemRecent, static_cast<double>(item.recent_interactions));
  Set(v, RankFeature::kItemDaysSinceLast,
      item.last_time >= 0 ? static_cast<double>(now - item.last_time) / kDay : kMissingFeature);
  Set(v, RankFeature::kItemAgeDays,
      item.first_time >= 0 ? static_cast<double>(now - item.first_time) / kDay : kMissingFeature);
  Set(v, RankFeature::kItemRatingMean,
      item.rating_count > 0 ? item.rating_sum / static_cast<double>(item.rating_count)
                            : kMissingFeature);
  Set(v, RankFeature::kItemRatingCount, static_cast<double>(item.rating_count));

  Set(v, RankFeature::kHistoryLength, static_cast<double>(history.size()));
  Set(v, RankFeature::kDaysSinceLastEvent,
      history.empty() ? kMissingFeature
                      : static_cast<double>(now - history.back().unix_time) / kDay);

  // Co-reviews: the newest items alone, then the whole history (each distinct item once; a
  // repeated item is counted at its newest position for the decay).
  int64_t last = 0;
  int64_t last2 = 0;
  double cosine_last = 0;
  int64_t sum = 0;
  int64_t max = 0;
  int64_t co_reviewed = 0;
  double decayed = 0;
  double affinity_sum = 0;
  int64_t affinity_items = 0;
  const std::span<const int32_t> tokens = source.Tokens(c);
  double weight = 1;
  for (std::size_t k = history.size(); k-- > 0; weight *= kCoCosineDecay) {
    const int32_t h = history[k].item;
    bool seen = false;
    for (std::size_t later = k + 1; later < history.size() && !seen; ++later) {
      seen = history[later].item == h;
    }
    if (seen) continue;
    const int64_t co = source.CoReviews(h, c);
    const int64_t nh = source.Item(h, now).interactions;
    const double cosine = Cosine(co, nh, item.interactions);
    if (k + 1 == history.size()) {
      last = co;
      cosine_last = cosine;
    } else if (k + 2 == history.size()) {
      last2 = co;
    }
    sum += co;
    max = std::max(max, co);
    co_reviewed += co > 0 ? 1 : 0;
    decayed += weight * cosine;
    if (!tokens.empty()) {
      const std::span<const int32_t> theirs = source.Tokens(h);
      if (!theirs.empty()) {
        affinity_sum += Jaccard(tokens, theirs);
        ++affinity_items;
      }
    }
  }
  Set(v, RankFeature::kCoReviewsLast, static_cast<double>(last));
  Set(v, RankFeature::kCoReviewsLast2, static_cast<double>(last2));
  Set(v, RankFeature::kCoReviewsHistorySum, static_cast<double>(sum));
  Set(v, RankFeature::kCoReviewsHistoryMax, static_cast<double>(max));
  Set(v, RankFeature::kCoCosineLast, cosine_last);
  Set(v, RankFeature::kCoCosineDecayed, decayed);
  Set(v, RankFeature::kHistoryItemsCoReviewed, static_cast<double>(co_reviewed));
  Set(v, RankFeature::kCategoryAffinity,
      affinity_items > 0 ? affinity_sum / static_cast<double>(affinity_items) : kMissingFeature);
  return v;
}

std::vector<RankFeatureVector> ComputeFeatureRows(const FeatureSource& source,
                                                  std::span<const Event> history,
                                                  std::span<const Candidate> candidates,
                                                  int64_t now) {
  std::vector<RankFeatureVector> rows;
  rows.reserve(candidates.size());
  const float best = candidates.empty() ? 0.0F : candidates.front().tower_score;
  for (const Candidate& c : candidates) {
    rows.push_back(ComputeFeatures(source, history, c, best, now));
  }
  return rows;
}

std::vector<Candidate> TopCandidates(std::span<const float> scores, std::span<const Event> history,
                                     int32_t n) {
  std::vector<int32_t> items;
  items.reserve(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const float s = scores[i];
    if (std::isnan(s) || s == -std::numeric_limits<float>::infinity()) continue;
    items.push_back(static_cast<int32_t>(i));
  }
  // History items out: the re-ranker never recommends what the user already reviewed.
  auto in_history = [&](int32_t item) {
    return std::any_of(history.begin(), history.end(),
                       [item](const Event& e) { return e.item == item; });
  };
  std::erase_if(items, in_history);
  auto better = [&](int32_t a, int32_t b) {
    const float sa = scores[static_cast<std::size_t>(a)];
    const float sb = scores[static_cast<std::size_t>(b)];
    return sa != sb ? sa > sb : a < b;
  };
  const std::size_t keep = std::min(items.size(), static_cast<std::size_t>(std::max(n, 0)));
  std::partial_sort(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(keep), items.end(),
                    better);
  std::vector<Candidate> out;
  out.reserve(keep);
  for (std::size_t r = 0; r < keep; ++r) {
    out.push_back(Candidate{.item = items[r],
                            .tower_score = scores[static_cast<std::size_t>(items[r])],
                            .tower_rank = static_cast<int32_t>(r)});
  }
  return out;
}

absl::StatusOr<MemoryFeatureSource> MemoryFeatureSource::Build(const Sequences& events,
                                                               Options options) {
  if (options.recent_window_seconds <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature source: the recent window must be positive, not ", options.recent_window_seconds));
  }
  const int32_t items = events.num_items();
  if (!options.ratings.empty() &&
      static_cast<int64_t>(options.ratings.size()) != events.num_events()) {
    return absl::InvalidArgumentError(absl::StrCat("feature source: ", options.ratings.size(),
                                                   " ratings for ", events.num_events(),
                                                   " events"));
  }
  if (!options.tokens.empty() && static_cast<int64_t>(options.tokens.size()) != items) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature source: tokens for ", options.tokens.size(), " items, the data has ", items));
  }
  MemoryFeatureSource s;
  s.num_items_ = items;
  s.window_ = options.recent_window_seconds;
  const auto n = static_cast<std::size_t>(items);

  // Counts, ratings and each item's event times (CSR, sorted).
  s.interactions_.assign(n, 0);
  s.rating_count_.assign(n, 0);
  s.rating_sum_.assign(n, 0);
  std::size_t position = 0;
  for (int32_t u = 0; u < events.num_users(); ++u) {
    for (const Event& e : events.Of(u)) {
      const auto i = static_cast<std::size_t>(e.item);
      ++s.interactions_[i];
      if (!options.ratings.empty() && !std::isnan(options.ratings[position])) {
        ++s.rating_count_[i];
        s.rating_sum_[i] += options.ratings[position];
      }
      ++position;
    }
  }
  s.time_offsets_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    s.time_offsets_[i + 1] = s.time_offsets_[i] + s.interactions_[i];
  s.times_.resize(static_cast<std::size_t>(s.time_offsets_[n]));
  {
    std::vector<int64_t> next(s.time_offsets_.begin(), s.time_offsets_.end() - 1);
    for (int32_t u = 0; u < events.num_users(); ++u) {
      for (const Event& e : events.Of(u)) {
        s.times_[static_cast<std::size_t>(next[static_cast<std::size_t>(e.item)]++)] = e.unix_time;
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::sort(s.times_.begin() + s.time_offsets_[i], s.times_.begin() + s.time_offsets_[i + 1]);
  }

  // Co-reviews: every pair of distinct items of a user, once per user; then each item's row
  // sorted by neighbour id and merged.
  std::vector<std::vector<CoCount>> rows(n);
  std::vector<int32_t> distinct;
  std::vector<int32_t> seen(n, -1);
  for (int32_t u = 0; u < events.num_users(); ++u) {
    distinct.clear();
    for (const Event& e : events.Of(u)) {
      if (seen[static_cast<std::size_t>(e.item)] == u) continue;
      seen[static_cast<std::size_t>(e.item)] = u;
      distinct.push_back(e.item);
    }
    for (const int32_t a : distinct) {
      for (const int32_t b : distinct) {
        if (a != b) rows[static_cast<std::size_t>(a)].push_back(CoCount{.item = b, .count = 1});
      }
    }
  }
  s.co_offsets_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<CoCount>& row = rows[i];
    std::sort(row.begin(), row.end(),
              [](const CoCount& x, const CoCount& y) { return x.item < y.item; });
    std::size_t out = 0;
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (out > 0 && row[out - 1].item == row[k].item) {
        ++row[out - 1].count;
      } else {
        row[out++] = row[k];
      }
    }
    s.co_.insert(s.co_.end(), row.begin(), row.begin() + static_cast<std::ptrdiff_t>(out));
    s.co_offsets_[i + 1] = static_cast<int64_t>(s.co_.size());
    std::vector<CoCount>().swap(row);
  }

  if (!options.tokens.empty()) {
    s.token_offsets_.assign(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<int32_t>& t = options.tokens[i];
      std::sort(t.begin(), t.end());
      t.erase(std::unique(t.begin(), t.end()), t.end());
      s.tokens_.insert(s.tokens_.end(), t.begin(), t.end());
      s.token_offsets_[i + 1] = static_cast<int64_t>(s.tokens_.size());
    }
  }
  return s;
}

ItemAggregates MemoryFeatureSource::Item(int32_t item, int64_t now) const {
  ItemAggregates a;
  if (item < 0 || item >= num_items_) return a;
  const auto i = static_cast<std::size_t>(item);
  a.interactions = interactions_[i];
  a.rating_count = rating_count_[i];
  a.rating_sum = rating_sum_[i];
  const auto begin = times_.begin() + time_offsets_[i];
  const auto end = times_.begin() + time_offsets_[i + 1];
  const auto before_now = std::lower_bound(begin, end, now);
  const auto window_start = std::lower_bound(begin, before_now, now - window_);
  a.recent_interactions = before_now - window_start;
  if (before_now != begin) {
    a.first_time = *begin;
    a.last_time = *(before_now - 1);
  }
  return a;
}

int64_t MemoryFeatureSource::CoReviews(int32_t a, int32_t b) const {
  if (a < 0 || b < 0 || a >= num_items_ || b >= num_items_ || a == b) return 0;
  // Search the shorter row.
  auto row = [&](int32_t x) {
    return std::span<const CoCount>(co_).subspan(
        static_cast<std::size_t>(co_offsets_[static_cast<std::size_t>(x)]),
        static_cast<std::size_t>(co_offsets_[static_cast<std::size_t>(x) + 1] -
                                 co_offsets_[static_cast<std::size_t>(x)]));
  };
  std::span<const CoCount> ra = row(a);
  std::span<const CoCount> rb = row(b);
  if (rb.size() < ra.size()) {
    std::swap(ra, rb);
    std::swap(a, b);
  }
  const auto it = std::lower_bound(ra.begin(), ra.end(), b,
                                   [](const CoCount& c, int32_t item) { return c.item < item; });
  return it != ra.end() && it->item == b ? it->count : 0;
}

std::span<const int32_t> MemoryFeatureSource::Tokens(int32_t item) const {
  if (token_offsets_.empty() || item < 0 || item >= num_items_) return {};
  const auto i = static_cast<std::size_t>(item);
  return std::span<const int32_t>(tokens_).subspan(
      static_cast<std::size_t>(token_offsets_[i]),
      static_cast<std::size_t>(token_offsets_[i + 1] - token_offsets_[i]));
}

std::vector<float> TrainRatings(const InteractionLog& log, const LeaveOneOutSplit& split) {
  const std::vector<Interaction>& all = log.interactions();
  if (std::none_of(all.begin(), all.end(), [](const Interaction& i) { return HasRating(i); })) {
    return {};
  }
  // The split's order: by user in source order, then a stable sort by time (split.cc).
  const int32_t users = log.num_users();
  std::vector<int64_t> offsets(static_cast<std::size_t>(users) + 1, 0);
  for (const Interaction& i : all) ++offsets[static_cast<std::size_t>(i.user) + 1];
  for (int32_t u = 0; u < users; ++u) offsets[u + 1] += offsets[u];
  std::vector<const Interaction*> by_user(all.size());
  std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
  for (const Interaction& i : all) by_user[static_cast<std::size_t>(next[i.user]++)] = &i;
  std::vector<float> ratings;
  ratings.reserve(static_cast<std::size_t>(split.train.num_events()));
  Require(split.train.num_users() == users, "TrainRatings: the split is of another log");
  for (int32_t u = 0; u < users; ++u) {
    auto begin = by_user.begin() + offsets[u];
    auto end = by_user.begin() + offsets[u + 1];
    std::stable_sort(begin, end, [](const Interaction* a, const Interaction* b) {
      return a->unix_time < b->unix_time;
    });
    const std::span<const Event> train = split.train.Of(u);
    Require(static_cast<int64_t>(train.size()) <= end - begin,
            "TrainRatings: the split is of another log");
    for (std::size_t k = 0; k < train.size(); ++k) {
      const Interaction& i = **(begin + static_cast<std::ptrdiff_t>(k));
      Require(i.item == train[k].item && i.unix_time == train[k].unix_time,
              "TrainRatings: the split is of another log");
      ratings.push_back(i.rating);
    }
  }
  return ratings;
}

absl::StatusOr<MemoryFeatureSource> TrainFeatureSource(const InteractionLog& log,
                                                       const LeaveOneOutSplit& split,
                                                       std::vector<std::vector<int32_t>> tokens,
                                                       int64_t recent_window_seconds) {
  return MemoryFeatureSource::Build(
      split.train, MemoryFeatureSource::Options{.recent_window_seconds = recent_window_seconds,
                                                .ratings = TrainRatings(log, split),
                                                .tokens = std::move(tokens)});
}

}  // namespace candor::reco
