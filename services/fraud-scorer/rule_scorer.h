#pragma once

#include <cstdint>

#include "services/fraud-scorer/behaviour_window.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

// The rule set of RuleScorer. Every rule adds its weight to the score when it fires; the score is
// the sum, capped at 1. README.md documents each rule; change both together.
struct RuleSet {
  // Text rules (the body; shouting and '!' look at title and body together).
  int64_t short_body_chars = 20;  // short_body: body shorter than this (code points)
  double short_body_weight = 0.10;
  int64_t shouting_min_letters = 10;   // shouting: at least this many ASCII letters ...
  double shouting_upper_ratio = 0.70;  // ... of which at least this share is upper case
  double shouting_weight = 0.20;
  int64_t exclamations = 4;  // exclamations: at least this many '!'
  double exclamations_weight = 0.15;
  int64_t extreme_short_chars = 40;  // extreme_short: rating 1 or 5 and body shorter than this
  double extreme_short_weight = 0.15;
  // Behaviour rules (the user's sliding window, this review included).
  int64_t burst_reviews_24h = 5;  // burst_24h: at least this many submissions in 24 h
  double burst_weight = 0.35;
  int64_t many_products_24h = 4;  // many_products_24h: at least this many distinct products
  double many_products_weight = 0.30;
};

// The first Scorer: a small documented rule set over the text and the user's recent behaviour.
// Text rules alone top out at 0.60 and behaviour rules alone at 0.65, so with the default
// thresholds a reject needs evidence from both. When the behaviour window cannot be read it fails
// open: Kind::kUnscored, with the text rules' score and reasons kept for the audit.
// Borrows `window`; not thread-safe (one consumer thread calls it).
class RuleScorer final : public Scorer {
 public:
  static constexpr const char* kName = "rules-v1";

  RuleScorer(BehaviourWindow& window, Thresholds thresholds, RuleSet rules = {});

  absl::StatusOr<Decision> Score(const review::Submission& submission, absl::Time now) override;
  // The same decisions as Score per submission, with the window recorded for the whole batch in
  // one BehaviourWindow::RecordBatch call.
  std::vector<absl::StatusOr<Decision>> ScoreBatch(
      const std::vector<review::Submission>& submissions, absl::Time now) override;

 private:
  BehaviourWindow& window_;
  Thresholds thresholds_;
  RuleSet rules_;
};

}  // namespace candor::fraud_scorer
