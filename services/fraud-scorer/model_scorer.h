#pragma once

#include <vector>

#include "libs/fraud/cidr_list.h"
#include "libs/fraud/feature_store.h"
#include "libs/fraud/model.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

// The scorer of design.md 4: the behaviour features of every review (libs/fraud's FeatureStore,
// which also records the review in its windows) through a trained gradient-boosted model
// (FraudModel), routed by Thresholds, with the model's largest per-feature contributions as the
// reasons. A whole batch costs one round trip to the feature store and one or two calls into the
// model.
//
// Fail open: a review whose features cannot be read (the store is down or its script failed) is
// Kind::kUnscored with the reason `features_unavailable`, and so is every review of a batch the
// model fails on (`model_unavailable`); the caller stores them active and counts them, and
// candor-fraud-rescore decides later. Rejected reviews are reported back to the store
// (MarkRejected) so their address and device count against other accounts.
//
// Borrows `store`, `model` and `datacenters`; not thread-safe (one consumer thread calls it).
class ModelScorer final : public Scorer {
 public:
  ModelScorer(fraud::FeatureStore& store, fraud::FraudModel& model,
              const fraud::CidrList& datacenters, Thresholds thresholds, int top_reasons = 3);

  absl::StatusOr<Decision> Score(const review::Submission& submission, absl::Time now) override;
  std::vector<absl::StatusOr<Decision>> ScoreBatch(
      const std::vector<review::Submission>& submissions, absl::Time now) override;

 private:
  fraud::FeatureStore& store_;
  fraud::FraudModel& model_;
  const fraud::CidrList& datacenters_;
  Thresholds thresholds_;
  int top_reasons_;
};

}  // namespace candor::fraud_scorer
