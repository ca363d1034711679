#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "libs/fraud/feature_store.h"

namespace candor::fraud_scorer::rescore {

// A FeatureStore that records through `inner` and holds MarkRejected back, so that a re-score
// marks a rejected review's address and device against other accounts only once its rejection is
// enacted (Release, after the commit), and never in shadow mode or for a decision that was not
// enacted (Drop). The ModelScorer scores through it. Borrows `inner`. Not thread-safe.
class HeldMarks final : public fraud::FeatureStore {
 public:
  explicit HeldMarks(fraud::FeatureStore& inner) : inner_(inner) {}

  std::vector<absl::StatusOr<fraud::FeatureRow>> RecordBatch(
      const std::vector<fraud::ReviewFacts>& reviews) override {
    return inner_.RecordBatch(reviews);
  }
  void MarkRejected(const std::vector<fraud::ReviewFacts>& reviews) override {
    held_.insert(held_.end(), reviews.begin(), reviews.end());
  }

  // Hands the held marks of `review_ids` to the inner store and forgets every held mark.
  void Release(const std::set<std::string>& review_ids);
  // Forgets every held mark.
  void Drop() { held_.clear(); }
  std::size_t held() const { return held_.size(); }

 private:
  fraud::FeatureStore& inner_;
  std::vector<fraud::ReviewFacts> held_;
};

}  // namespace candor::fraud_scorer::rescore
