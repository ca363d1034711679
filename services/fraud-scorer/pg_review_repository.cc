#include "services/fraud-scorer/pg_review_repository.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace candor::fraud_scorer {
namespace {

// The moderation_queue.reason a moderator sees first, one line: the score and the reasons
// ("rules-v1 score 0.6: shouting: 12 of 14 letters upper case; exclamations: 5 '!'"). The
// structured reasons go beside it (moderation_queue.reasons).
std::string QueueReason(const Decision& d) {
  return absl::StrCat(d.scorer, " score ", d.score, ": ",
                      absl::StrJoin(d.reasons, "; ", [](std::string* out, const review::Reason& r) {
                        absl::StrAppend(out, r.code, ": ", r.text);
                      }));
}

}  // namespace

absl::StatusOr<std::vector<StoredReview>> PgReviewRepository::Store(
    const std::vector<ScoredReview>& reviews) {
  std::vector<reviewdb::NewReview> rows;
  rows.reserve(reviews.size());
  for (const ScoredReview& r : reviews) {
    reviewdb::NewReview& row = rows.emplace_back();
    row.submission = r.submission;
    row.status = r.status;
    row.fraud_score = r.decision.score;
    row.decision = std::string(KindName(r.decision.kind));
    row.scorer = r.decision.scorer;
    row.reasons = r.decision.reasons;
    if (r.status == ReviewStatus::kHeld) row.queue_reason = QueueReason(r.decision);
  }
  return db_.InsertScored(rows);
}

}  // namespace candor::fraud_scorer
