#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/fraud/features.h"
#include "libs/fraud/model.h"

// Tests only: a fraud model whose decisions a test chooses, for the re-scorer's unit and
// integration tests (production loads a real one with FraudModel::Load).
namespace candor::fraud_scorer::rescore::testing {

// Scores a review by its rating feature alone, so a test decides which reviews flip: 1 star
// 0.9 (reject at the default thresholds), 2 stars 0.5 (queue), otherwise 0.1 (pass). The rating
// is its one reason, its contribution the score. `error`, when set, fails every batch (a broken
// model). Not thread-safe.
class RatingRuleModel final : public fraud::FraudModel {
 public:
  explicit RatingRuleModel(std::string version) {
    metadata_.version = std::move(version);
    for (std::string_view name : fraud::FeatureNames()) metadata_.feature_names.emplace_back(name);
  }

  const fraud::ModelMetadata& metadata() const override { return metadata_; }

  absl::StatusOr<std::vector<fraud::Prediction>> PredictBatch(
      const std::vector<fraud::FeatureVector>& rows, int top_reasons) override {
    if (!error.ok()) return error;
    std::vector<fraud::Prediction> out;
    for (const fraud::FeatureVector& row : rows) {
      const float rating = fraud::At(row, fraud::Feature::kRating);
      fraud::Prediction p;
      p.score = rating <= 1 ? 0.9F : rating <= 2 ? 0.5F : 0.1F;
      if (top_reasons > 0) p.reasons.push_back({fraud::Feature::kRating, rating, p.score});
      out.push_back(std::move(p));
    }
    return out;
  }

  absl::Status error;

 private:
  fraud::ModelMetadata metadata_;
};

}  // namespace candor::fraud_scorer::rescore::testing
