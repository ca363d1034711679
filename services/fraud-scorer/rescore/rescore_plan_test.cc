#include "services/fraud-scorer/rescore/rescore_plan.h"

#include <variant>

#include "gtest/gtest.h"

namespace candor::fraud_scorer::rescore {
namespace {

using review::ReviewStatus;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

reviewdb::RescoreCandidate Candidate(const std::string& decision, ReviewStatus status,
                                     const std::string& scorer = "model-v1",
                                     absl::Time submitted = kNow - absl::Hours(1)) {
  reviewdb::RescoreCandidate c;
  c.submission.review_id = "r1";
  c.submission.asin = "B000000001";
  c.submission.user_id = "u1";
  c.submission.rating = 4;
  c.submission.submitted_at = submitted;
  c.status = status;
  c.audit_id = 7;
  c.decision = decision;
  c.scorer = scorer;
  return c;
}

TEST(ClassifyTest, RescoresOnlyWhatScoringDecidedAndThisModelDidNot) {
  EXPECT_EQ(Classify(Candidate("pass", ReviewStatus::kActive), "model-v2", kNow), Skip::kNone);
  EXPECT_EQ(Classify(Candidate("queue", ReviewStatus::kHeld), "model-v2", kNow), Skip::kNone);
  EXPECT_EQ(Classify(Candidate("reject", ReviewStatus::kRejected), "model-v2", kNow), Skip::kNone);
  // This model's own decisions are final; its unscored ones are what a re-score is for.
  EXPECT_EQ(Classify(Candidate("reject", ReviewStatus::kRejected), "model-v1", kNow),
            Skip::kDecidedByThisModel);
  EXPECT_EQ(Classify(Candidate("unscored", ReviewStatus::kActive), "model-v1", kNow), Skip::kNone);
  // A moderator's decision (approved, rejected or removed) is never overridden.
  EXPECT_EQ(Classify(Candidate("queue", ReviewStatus::kActive), "model-v2", kNow),
            Skip::kModerated);
  EXPECT_EQ(Classify(Candidate("queue", ReviewStatus::kRejected), "model-v2", kNow),
            Skip::kModerated);
  EXPECT_EQ(Classify(Candidate("pass", ReviewStatus::kRemoved), "model-v2", kNow),
            Skip::kModerated);
  EXPECT_EQ(Classify(Candidate("something else", ReviewStatus::kActive), "model-v2", kNow),
            Skip::kModerated);
  reviewdb::RescoreCandidate bare = Candidate("", ReviewStatus::kActive);
  bare.audit_id = 0;
  EXPECT_EQ(Classify(bare, "model-v2", kNow), Skip::kNoDecision);
}

TEST(ClassifyTest, OlderThanTheFeatureStoresMemoryOnlyWhenNeverRecorded) {
  const absl::Time old = kNow - kFeatureMemory - absl::Hours(1);
  EXPECT_EQ(Classify(Candidate("pass", ReviewStatus::kActive, "model-v1", old), "model-v2", kNow),
            Skip::kBeyondMemory);
  reviewdb::RescoreCandidate failed_open =
      Candidate("unscored", ReviewStatus::kActive, "model-v1", old);
  failed_open.reasons = {{.code = "features_unavailable", .value = 0, .weight = 0, .text = "x"}};
  EXPECT_TRUE(NeverRecorded(failed_open));
  EXPECT_EQ(Classify(failed_open, "model-v2", kNow), Skip::kNone);
  // The model failed after the features were recorded: recording again would count it twice.
  failed_open.reasons.front().code = "model_unavailable";
  EXPECT_FALSE(NeverRecorded(failed_open));
  EXPECT_EQ(Classify(failed_open, "model-v2", kNow), Skip::kBeyondMemory);
}

TEST(EventForTest, AcceptedIntoActiveRemovedOutOfIt) {
  const ReviewStatus scored[] = {ReviewStatus::kActive, ReviewStatus::kHeld,
                                 ReviewStatus::kRejected};
  for (ReviewStatus from : scored) {
    for (ReviewStatus to : scored) {
      const EventKind want = from == to                      ? EventKind::kNone
                             : to == ReviewStatus::kActive   ? EventKind::kAccepted
                             : from == ReviewStatus::kActive ? EventKind::kRemoved
                                                             : EventKind::kNone;
      EXPECT_EQ(EventFor(from, to), want)
          << review::StatusName(from) << " -> " << review::StatusName(to);
    }
  }
}

TEST(MissingEventTest, WhenTheCountedFlagDisagreesWithTheDecidedStatus) {
  reviewdb::RescoreCandidate c = Candidate("reject", ReviewStatus::kRejected);
  c.counted = true;
  EXPECT_EQ(MissingEvent(c), EventKind::kRemoved);
  c.counted = false;
  EXPECT_EQ(MissingEvent(c), EventKind::kNone);
  c = Candidate("pass", ReviewStatus::kActive);
  EXPECT_EQ(MissingEvent(c), EventKind::kAccepted);
  c.counted = true;
  EXPECT_EQ(MissingEvent(c), EventKind::kNone);
  // A moderator's status: their events, not ours.
  c = Candidate("pass", ReviewStatus::kRemoved);
  c.counted = true;
  EXPECT_EQ(MissingEvent(c), EventKind::kNone);
}

TEST(MakeEventTest, CarriesTheReviewAndTheDecisionTime) {
  const review::Submission s = Candidate("pass", ReviewStatus::kActive).submission;
  review::ReviewEvent removed = MakeEvent(EventKind::kRemoved, s, kNow);
  EXPECT_EQ(removed.review_id, "r1");
  EXPECT_EQ(removed.asin, "B000000001");
  EXPECT_EQ(removed.occurred_at, kNow);
  EXPECT_EQ(std::get<review::ReviewRemoved>(removed.change).reason_code, kRescoredReasonCode);
  review::ReviewEvent accepted = MakeEvent(EventKind::kAccepted, s, kNow);
  EXPECT_EQ(std::get<review::ReviewAccepted>(accepted.change),
            (review::ReviewAccepted{.rating = 4, .verified_purchase = false, .user_id = "u1"}));
}

}  // namespace
}  // namespace candor::fraud_scorer::rescore
