#include "services/fraud-scorer/submission_consumer.h"

#include "libs/events/review_submitted.h"

namespace candor::fraud_scorer {

SubmissionHandler SubmissionConsumer(ReviewIntake& intake) {
  return {events::DecodeReviewSubmitted,
          [&intake](const std::vector<review::Submission>& batch) { return intake.Score(batch); },
          [&intake](const ScoredBatch& scored) { return intake.Store(scored); }};
}

}  // namespace candor::fraud_scorer
