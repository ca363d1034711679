#include "services/fraud-scorer/rescore/rescore_plan.h"

#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer::rescore {

using review::ReviewStatus;

std::string_view SkipName(Skip skip) {
  switch (skip) {
    case Skip::kNone:
      return "re-scored";
    case Skip::kDecidedByThisModel:
      return "already decided by this model";
    case Skip::kModerated:
      return "decided by a moderator (status differs from the decision)";
    case Skip::kNoDecision:
      return "no audit row";
    case Skip::kBeyondMemory:
      return "recorded over 30 days ago (beyond the feature store's memory)";
  }
  return "?";
}

bool NeverRecorded(const reviewdb::RescoreCandidate& c) {
  return c.decision == reviewdb::kUnscoredDecision && !c.reasons.empty() &&
         c.reasons.front().code == kFeaturesUnavailable;
}

Skip Classify(const reviewdb::RescoreCandidate& c, std::string_view model_version, absl::Time now) {
  if (c.audit_id == 0) return Skip::kNoDecision;
  if (c.scorer == model_version && c.decision != reviewdb::kUnscoredDecision) {
    return Skip::kDecidedByThisModel;
  }
  std::optional<ReviewStatus> routed = StatusOfDecision(c.decision);
  if (!routed || *routed != c.status) return Skip::kModerated;
  if (!NeverRecorded(c) && c.submission.submitted_at < now - kFeatureMemory) {
    return Skip::kBeyondMemory;
  }
  return Skip::kNone;
}

std::optional<Decision::Kind> KindNamed(std::string_view name) {
  for (Decision::Kind kind : {Decision::Kind::kPass, Decision::Kind::kQueue,
                              Decision::Kind::kReject, Decision::Kind::kUnscored}) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<ReviewStatus> StatusOfDecision(std::string_view decision) {
  std::optional<Decision::Kind> kind = KindNamed(decision);
  if (!kind) return std::nullopt;
  return StatusFor(*kind);
}

EventKind EventFor(ReviewStatus from, ReviewStatus to) {
  const bool was = review::Counts(from);
  const bool is = review::Counts(to);
  if (!was && is) return EventKind::kAccepted;
  if (was && !is) return EventKind::kRemoved;
  return EventKind::kNone;
}

EventKind MissingEvent(const reviewdb::RescoreCandidate& c) {
  std::optional<ReviewStatus> routed = StatusOfDecision(c.decision);
  if (!routed || *routed != c.status) return EventKind::kNone;
  const bool active = review::Counts(c.status);
  if (c.counted && !active) return EventKind::kRemoved;
  if (!c.counted && active) return EventKind::kAccepted;
  return EventKind::kNone;
}

review::ReviewEvent MakeEvent(EventKind kind, const review::Submission& s, absl::Time occurred_at) {
  review::ReviewEvent e;
  e.review_id = s.review_id;
  e.asin = s.asin;
  e.occurred_at = occurred_at;
  if (kind == EventKind::kRemoved) {
    e.change = review::ReviewRemoved{kRescoredReasonCode};
  } else {
    e.change = review::ReviewAccepted{s.rating, s.verified_purchase, s.user_id};
  }
  return e;
}

}  // namespace candor::fraud_scorer::rescore
