#include "services/fraud-scorer/review_repository.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

std::string QueueReason(const Decision& d) {
  return absl::StrCat(d.scorer, " score ", d.score, ": ",
                      absl::StrJoin(d.reasons, "; ", [](std::string* out, const review::Reason& r) {
                        absl::StrAppend(out, r.code, ": ", r.text);
                      }));
}

}  // namespace candor::fraud_scorer
