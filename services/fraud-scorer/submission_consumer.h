#pragma once

#include "absl/status/status.h"
#include "libs/kafka/batch_loop.h"
#include "services/fraud-scorer/intake.h"

namespace candor::fraud_scorer {

// The kafka::BatchHandler of fraud-scorer: decodes and validates every `review-submissions`
// message with events::DecodeReviewSubmitted (the gateway's own rules, so what it accepted
// decodes), lists the ones it refuses as poison (with the field it names), and hands the rest to
// ReviewIntake as one batch. Borrows `intake`.
class SubmissionConsumer final : public kafka::BatchHandler {
 public:
  explicit SubmissionConsumer(ReviewIntake& intake) : intake_(intake) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  ReviewIntake& intake_;
};

}  // namespace candor::fraud_scorer
