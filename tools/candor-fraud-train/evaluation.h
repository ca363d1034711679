#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "nlohmann/json.hpp"
#include "tools/candor-fraud-train/simulator.h"

namespace candor::fraud_train {

// Where a score routes a review (the service's rule): pass below the queue threshold, reject
// above the reject threshold, the moderator queue in between (both ends included).
enum class Route : int { kPass, kQueue, kReject };
Route RouteOf(double score, double queue_threshold, double reject_threshold);

// ROC AUC (ties count half); NaN unless both classes are present.
double RocAuc(const std::vector<double>& scores, const std::vector<int>& labels);
// PR AUC as average precision (the precision at each campaign review's rank, ties resolved as
// one step); NaN without campaign reviews.
double AveragePrecision(const std::vector<double>& scores, const std::vector<int>& labels);

// One scored test review.
struct Scored {
  double score = 0;
  Kind kind = Kind::kGenuine;
  int campaign = -1;
};

// Precision and recall when "flagged" means routed at least to the queue (at the queue
// threshold) or rejected (at the reject threshold).
struct Flagged {
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t false_negatives = 0;
  double precision = 0;
  double recall = 0;
};

struct TypeFigures {
  int64_t reviews = 0;
  int64_t campaigns = 0;
  double recall_queue = 0;       // share queued or rejected
  double recall_reject = 0;      // share rejected
  double roc_auc = 0;            // this type's reviews against all genuine ones
  int64_t campaigns_caught = 0;  // campaigns with at least half their reviews queued or rejected
};

struct Evaluation {
  double queue_threshold = 0.3;
  double reject_threshold = 0.7;
  int64_t genuine = 0;
  int64_t campaign = 0;
  double roc_auc = 0;
  double pr_auc = 0;
  std::array<std::array<int64_t, 3>, 2> confusion{};  // [genuine, campaign][pass, queue, reject]
  Flagged at_queue;
  Flagged at_reject;
  double genuine_queued = 0;    // share of genuine reviews queued (not rejected)
  double genuine_rejected = 0;  // share of genuine reviews rejected
  std::array<TypeFigures, kCampaignTypes> types{};
};

Evaluation Evaluate(const std::vector<Scored>& scored, double queue_threshold,
                    double reject_threshold);

nlohmann::json ToJson(const Evaluation& e);

}  // namespace candor::fraud_train
