#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include "libs/fraud/cidr_list.h"
#include "libs/fraud/features.h"
#include "tools/candor-fraud-train/simulator.h"

namespace candor::fraud_train {

// What a feature pass did, for the progress output and the metadata.
struct FeaturePassStats {
  int64_t recorded = 0;  // reviews recorded
  int64_t batches = 0;
  int64_t marks = 0;    // reviews marked rejected
  int64_t clamped = 0;  // reviews with at least one feature clamped into range
  std::array<int64_t, fraud::kFeatureCount> clamped_by_feature{};
};

// Feeds `reviews` (in time order) through a fresh fraud::MemoryFeatureStore as the scorer
// would: batches of up to `batch` reviews via RecordBatch, the datacenter flag from
// `datacenters`, and each review with a rejected_at marked (MarkRejected) once the stream has
// reached that time. Returns the features of every review, in the order of `reviews`.
std::vector<fraud::FeatureVector> ComputeFeatures(const std::vector<SimReview>& reviews,
                                                  const fraud::CidrList& datacenters, int batch,
                                                  std::ostream* progress, FeaturePassStats* stats);

}  // namespace candor::fraud_train
