#include "services/fraud-scorer/submission_consumer.h"

#include "libs/events/review_submitted.h"

namespace candor::fraud_scorer {

kafka::DecodingHandler<review::Submission> SubmissionConsumer(ReviewIntake& intake) {
  return {events::DecodeReviewSubmitted, [&intake](const std::vector<review::Submission>& batch) {
            return intake.Process(batch);
          }};
}

}  // namespace candor::fraud_scorer
