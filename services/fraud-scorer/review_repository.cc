#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer {

ReviewStatus StatusFor(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kPass:
    case Decision::Kind::kUnscored:
      return ReviewStatus::kActive;
    case Decision::Kind::kQueue:
      return ReviewStatus::kHeld;
    case Decision::Kind::kReject:
      return ReviewStatus::kRejected;
  }
  return ReviewStatus::kActive;
}

}  // namespace candor::fraud_scorer
