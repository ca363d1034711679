#include "services/rating-aggregator/ledger.h"

#include <unordered_map>

namespace candor::rating_aggregator {

std::vector<LedgerPhase> PlanPhases(const std::vector<LedgerEvent>& events) {
  std::vector<LedgerPhase> phases;
  std::unordered_map<std::string, LedgerEvent::Kind> in_phase;  // reviews of the last phase
  for (const LedgerEvent& e : events) {
    auto it = in_phase.find(e.review_id);
    if (it != in_phase.end() && it->second == e.kind) continue;  // same flip again: no-op
    if (phases.empty() || it != in_phase.end()) {
      // Either the first event, or this review flips the other way after an earlier event in the
      // current phase: that must run after it, so it opens the next phase.
      phases.emplace_back();
      in_phase.clear();
    }
    in_phase.emplace(e.review_id, e.kind);
    LedgerPhase& phase = phases.back();
    (e.kind == LedgerEvent::Kind::kCount ? phase.count_ids : phase.uncount_ids)
        .push_back(e.review_id);
  }
  return phases;
}

}  // namespace candor::rating_aggregator
