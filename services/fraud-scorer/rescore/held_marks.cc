#include "services/fraud-scorer/rescore/held_marks.h"

namespace candor::fraud_scorer::rescore {

void HeldMarks::Release(const std::set<std::string>& review_ids) {
  std::vector<fraud::ReviewFacts> enacted;
  for (fraud::ReviewFacts& r : held_) {
    if (review_ids.count(r.review_id) > 0) enacted.push_back(std::move(r));
  }
  held_.clear();
  if (!enacted.empty()) inner_.MarkRejected(enacted);
}

}  // namespace candor::fraud_scorer::rescore
