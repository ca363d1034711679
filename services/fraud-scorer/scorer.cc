#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer {

std::string_view KindName(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kPass:
      return "pass";
    case Decision::Kind::kQueue:
      return "queue";
    case Decision::Kind::kReject:
      return "reject";
    case Decision::Kind::kUnscored:
      return "unscored";
  }
  return "unscored";
}

Decision::Kind Thresholds::Route(double score) const {
  if (score < queue) return Decision::Kind::kPass;
  if (score <= reject) return Decision::Kind::kQueue;
  return Decision::Kind::kReject;
}

}  // namespace candor::fraud_scorer
