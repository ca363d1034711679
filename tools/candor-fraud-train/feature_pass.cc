#include "tools/candor-fraud-train/feature_pass.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <queue>
#include <utility>

#include "libs/fraud/memory_feature_store.h"

namespace candor::fraud_train {

std::vector<fraud::FeatureVector> ComputeFeatures(const std::vector<SimReview>& reviews,
                                                  const fraud::CidrList& datacenters, int batch,
                                                  std::ostream* progress, FeaturePassStats* stats) {
  *stats = FeaturePassStats{};
  fraud::MemoryFeatureStore store;
  std::vector<fraud::FeatureVector> out(reviews.size());
  // Rejections waiting for their time: (when, review index), earliest first.
  using Mark = std::pair<absl::Time, std::size_t>;
  std::priority_queue<Mark, std::vector<Mark>, std::greater<>> marks;
  const std::size_t step = std::max<std::size_t>(reviews.size() / 10, 1);
  std::size_t next_report = step;

  std::vector<fraud::ReviewFacts> facts;
  for (std::size_t i = 0; i < reviews.size();) {
    // Moderators' rejections due by now go first, as they would reach the store before.
    std::vector<fraud::ReviewFacts> due;
    while (!marks.empty() && marks.top().first <= reviews[i].facts.at) {
      due.push_back(reviews[marks.top().second].facts);
      marks.pop();
    }
    if (!due.empty()) {
      store.MarkRejected(due);
      stats->marks += static_cast<int64_t>(due.size());
    }
    // A batch ends early where a rejection falls due, one of an earlier batch or of this one.
    std::size_t end = std::min(reviews.size(), i + static_cast<std::size_t>(batch));
    absl::Time due_next = marks.empty() ? absl::InfiniteFuture() : marks.top().first;
    facts.clear();
    for (std::size_t j = i; j < end; ++j) {
      if (j > i && due_next <= reviews[j].facts.at) {
        end = j;
        break;
      }
      facts.push_back(reviews[j].facts);
      if (reviews[j].rejected_at.has_value())
        due_next = std::min(due_next, *reviews[j].rejected_at);
    }
    std::vector<absl::StatusOr<fraud::FeatureRow>> rows = store.RecordBatch(facts);
    for (std::size_t j = i; j < end; ++j) {
      absl::StatusOr<fraud::FeatureRow>& row = rows[j - i];
      if (!row.ok()) {
        // The memory store never fails; a failure here is a bug.
        std::cerr << "candor-fraud-train: MemoryFeatureStore failed: " << row.status() << "\n";
        std::abort();
      }
      fraud::At(row->values, fraud::Feature::kDatacenterIp) =
          datacenters.Contains(reviews[j].facts.client_ip) ? 1 : 0;
      out[j] = row->values;
      if (!row->clamped.empty()) ++stats->clamped;
      for (fraud::Feature f : row->clamped) ++stats->clamped_by_feature[static_cast<int>(f)];
      if (reviews[j].rejected_at.has_value()) marks.emplace(*reviews[j].rejected_at, j);
    }
    stats->recorded += static_cast<int64_t>(end - i);
    ++stats->batches;
    i = end;
    if (progress != nullptr && i >= next_report) {
      *progress << "features: " << i << " / " << reviews.size() << " reviews recorded\n";
      next_report += step;
    }
  }
  return out;
}

}  // namespace candor::fraud_train
