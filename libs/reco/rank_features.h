#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/split.h"

namespace candor::reco {

// The ranker's features (issue 14 item 4): one code path for the trainer
// (tools/candor-reco-rank-train), the offline funnel (candor-reco-eval --models funnel) and, later,
// reco-api. Everything a feature needs beyond the request (history, candidate, tower score, time)
// comes through FeatureSource, a small data-only port: the in-memory source below is built from
// the train Sequences; reco-api will implement it over Redis. See README.md, "Ranker".

// The value of a feature that does not apply (no rating, no tokens, empty history): XGBoost's
// missing value.
inline constexpr float kMissingFeature = std::numeric_limits<float>::quiet_NaN();

// What a FeatureSource knows of one item at one time `now`.
struct ItemAggregates {
  int64_t interactions = 0;         // all interactions the source holds
  int64_t recent_interactions = 0;  // those in [now - window, now) (window: the source's)
  int64_t first_time = -1;          // unix seconds of its first interaction before now; -1: none
  int64_t last_time = -1;           // of its last interaction before now; -1: none
  int64_t rating_count = 0;         // interactions with a rating
  double rating_sum = 0;            // the sum of those ratings
};

// Per-item aggregates, co-review counts and content tokens: the data ComputeFeatures reads.
// Implementations must be safe for concurrent const use (the in-memory one is immutable).
class FeatureSource {
 public:
  virtual ~FeatureSource() = default;

  // The width of the "recent" window of ItemAggregates, in seconds.
  virtual int64_t recent_window_seconds() const = 0;
  // The aggregates of `item` at time `now`. An item the source does not know has all zeros / -1.
  virtual ItemAggregates Item(int32_t item, int64_t now) const = 0;
  // How many users interacted with both `a` and `b` (0 for a == b or unknown items). Symmetric.
  virtual int64_t CoReviews(int32_t a, int32_t b) const = 0;
  // The item's content tokens (category / title tokens, sorted ascending, distinct); empty when
  // the source has none for it.
  virtual std::span<const int32_t> Tokens(int32_t item) const = 0;
};

// The features, in the model's input order. Changing the list or a definition changes
// kRankFeaturesVersion (a ranker trained on another version is refused).
enum class RankFeature : std::size_t {
  kTowerScore,              // the two-tower score (dot product of the user and item vectors)
  kTowerRank,               // 0-based rank of the candidate in the tower's order (history excluded)
  kTowerGap,                // the best candidate's tower score minus this one's
  kItemInteractions,        // ItemAggregates::interactions
  kItemRecent,              // ItemAggregates::recent_interactions
  kItemDaysSinceLast,       // (now - last_time) / 1 day; missing when none before now
  kItemAgeDays,             // (now - first_time) / 1 day; missing when none before now
  kItemRatingMean,          // rating_sum / rating_count; missing without ratings
  kItemRatingCount,         // rating_count
  kCoReviewsLast,           // CoReviews(the newest history item, candidate)
  kCoReviewsLast2,          // CoReviews(the second newest history item, candidate); 0 when none
  kCoReviewsHistorySum,     // sum of CoReviews over the history's distinct items
  kCoReviewsHistoryMax,     // their maximum
  kCoCosineLast,            // CoReviews(last, c) / sqrt(interactions(last) * interactions(c))
  kCoCosineDecayed,         // sum over the history of 0.7^age x that cosine (age 0 = newest)
  kHistoryItemsCoReviewed,  // how many distinct history items have CoReviews > 0 with c
  kCategoryAffinity,    // mean Jaccard of c's tokens with each history item's; missing: no tokens
  kHistoryLength,       // events in the history
  kDaysSinceLastEvent,  // (now - the newest history event's time) / 1 day; missing when empty
  kCount,
};
inline constexpr std::size_t kRankFeatureCount = static_cast<std::size_t>(RankFeature::kCount);

// Stored in the ranker's metadata; bump when any feature's definition changes.
inline constexpr char kRankFeaturesVersion[] = "reco-rank-features-1";

// The weight per step back in the history of kCoCosineDecayed (item-kNN's tuned decay on Beauty).
inline constexpr double kCoCosineDecay = 0.7;

using RankFeatureVector = std::array<float, kRankFeatureCount>;

// The names, in RankFeature order ("tower_score", ...): the ranker's metadata lists them.
const std::array<std::string_view, kRankFeatureCount>& RankFeatureNames();

// The features named in `names` (RankFeatureNames()), in the order given. InvalidArgument naming
// the first unknown name.
absl::StatusOr<std::vector<RankFeature>> FindRankFeatures(std::span<const std::string> names);

// A retrieved item with its tower score and its rank among the candidates.
struct Candidate {
  int32_t item = 0;
  float tower_score = 0;
  int32_t tower_rank = 0;
};

// The features of `candidate` for a user whose `history` (oldest first) is given, at `now`.
// `best_tower_score` is the first candidate's tower score (for kTowerGap). Reads nothing but its
// arguments and `source`. History items the source does not know count as items without
// interactions.
RankFeatureVector ComputeFeatures(const FeatureSource& source, std::span<const Event> history,
                                  const Candidate& candidate, float best_tower_score, int64_t now);

// ComputeFeatures for every candidate (`candidates` in tower order, the first the best).
std::vector<RankFeatureVector> ComputeFeatureRows(const FeatureSource& source,
                                                  std::span<const Event> history,
                                                  std::span<const Candidate> candidates,
                                                  int64_t now);

// The `n` best items by `scores` (descending; ties by item id), skipping items in `history` and
// items scoring -inf or NaN (unknown to the model): the candidate list of the funnel, the same in
// training and evaluation.
std::vector<Candidate> TopCandidates(std::span<const float> scores, std::span<const Event> history,
                                     int32_t n);

// The in-memory FeatureSource over a set of Sequences (the train part): counts, times and
// co-reviews of those events only; ratings and tokens when given. Immutable once built.
class MemoryFeatureSource final : public FeatureSource {
 public:
  struct Options {
    int64_t recent_window_seconds = 30 * 86400;
    // One rating per event of `events`, in its CSR order (Sequences::Of(0), Of(1), ...):
    // kNoRating for an event without; empty when the data has no ratings.
    std::vector<float> ratings;
    // Per item (num_items entries) its content tokens, any order, repeats allowed; empty when
    // the data has none.
    std::vector<std::vector<int32_t>> tokens;
  };

  // InvalidArgument when `ratings` or `tokens` is given with the wrong length, or the window is
  // not positive.
  static absl::StatusOr<MemoryFeatureSource> Build(const Sequences& events, Options options);

  int64_t recent_window_seconds() const override { return window_; }
  ItemAggregates Item(int32_t item, int64_t now) const override;
  int64_t CoReviews(int32_t a, int32_t b) const override;
  std::span<const int32_t> Tokens(int32_t item) const override;

  int32_t num_items() const { return num_items_; }

 private:
  struct CoCount {
    int32_t item = 0;
    int32_t count = 0;
  };
  MemoryFeatureSource() = default;

  int32_t num_items_ = 0;
  int64_t window_ = 0;
  std::vector<int64_t> interactions_;  // per item
  std::vector<int64_t> time_offsets_;  // CSR into times_: each item's event times, ascending
  std::vector<int64_t> times_;
  std::vector<int64_t> rating_count_;  // per item
  std::vector<double> rating_sum_;     // per item
  std::vector<int64_t> co_offsets_;    // CSR into co_: each item's co-reviewed items, by id
  std::vector<CoCount> co_;
  std::vector<int64_t> token_offsets_;  // CSR into tokens_; empty when no tokens
  std::vector<int32_t> tokens_;
};

// The ratings of `split.train`'s events in its CSR order (MemoryFeatureSource::Options::ratings),
// from the log the split was made of; empty when no interaction of the log has a rating.
// Recomputes the split's stable time order per user (split.h). Crashes if `split` was not made
// from `log`.
std::vector<float> TrainRatings(const InteractionLog& log, const LeaveOneOutSplit& split);

// The source every offline tool ranks with: `split.train`'s events with their ratings
// (TrainRatings) and `tokens` (per item of `log`, or empty). No validation or test event is in
// it. Errors as MemoryFeatureSource::Build.
absl::StatusOr<MemoryFeatureSource> TrainFeatureSource(const InteractionLog& log,
                                                       const LeaveOneOutSplit& split,
                                                       std::vector<std::vector<int32_t>> tokens,
                                                       int64_t recent_window_seconds);

}  // namespace candor::reco
