#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libs/reco/recommender.h"

namespace candor::reco {

// Item-kNN on co-occurrence ("customers who reviewed this also reviewed"). Two items co-occur
// once per user who has both in train; their similarity is the cosine of their user sets,
// co(i, j) / sqrt(n_i * n_j). Each item keeps its `max_neighbours` most similar items.
//
// A query's score for item j is sum over the history of decay^age * sim(h, j), over h's first
// `neighbours` neighbours, where age is 0 for the newest history item, 1 for the one before...
// (decay 1 weighs the whole history alike). Items no history item points to score below every
// item that one does, ordered among themselves by popularity (a popularity backfill).
//
// Fit is O(sum over users of n_u^2) time and O(items x max_neighbours) memory; a query is
// O(history x neighbours + items).
class ItemKnn : public Recommender {
 public:
  struct Options {
    int max_neighbours = 500;  // kept per item at Fit; 0 keeps all
    int neighbours = 100;      // used per history item at Score (<= max_neighbours unless 0)
    double decay = 1.0;        // per step of age, in (0, 1]
  };
  explicit ItemKnn(Options options) : options_(options) {}

  std::string Name() const override;
  absl::Status Fit(const Sequences& train) override;
  void Score(const Query& query, std::span<float> scores) override;

  // Changes the scoring settings without refitting (the validation search). `neighbours` above
  // max_neighbours uses all that were kept.
  void SetScoring(int neighbours, double decay);
  const Options& options() const { return options_; }

  struct Neighbour {
    int32_t item;
    float similarity;
  };
  // `item`'s kept neighbours, most similar first (ties: lower item id first).
  std::span<const Neighbour> NeighboursOf(int32_t item) const;

 private:
  Options options_;
  std::vector<int64_t> offsets_;
  std::vector<Neighbour> neighbours_;
  std::vector<float> backfill_;  // in (-1, 0): popularity order for unreached items
};

}  // namespace candor::reco
