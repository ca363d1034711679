#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "libs/kafka/batch_loop.h"
#include "libs/review/submission.h"
#include "services/fraud-scorer/intake.h"

namespace candor::fraud_scorer {

// Decodes a `review-submissions` payload (candor.review.v1.ReviewSubmitted) and checks it with
// the gateway's own rules: review::ValidateSubmission on the shopper's fields and
// review::ValidateGatewayFields on user id, fingerprint, review id, submission time and client
// address. What the gateway accepted therefore decodes, and PostgreSQL can store it (I1).
// InvalidArgument naming the field otherwise; such a message is poison. Pure function.
absl::StatusOr<review::Submission> DecodeSubmission(std::string_view bytes);

// The kafka::BatchHandler of fraud-scorer: decodes and validates every message, lists the bad
// ones as poison, and hands the rest to ReviewIntake as one batch. Borrows `intake`.
class SubmissionConsumer final : public kafka::BatchHandler {
 public:
  explicit SubmissionConsumer(ReviewIntake& intake) : intake_(intake) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  ReviewIntake& intake_;
};

}  // namespace candor::fraud_scorer
