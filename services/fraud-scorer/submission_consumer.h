#pragma once

#include "libs/kafka/batch_loop.h"
#include "libs/review/submission.h"
#include "services/fraud-scorer/intake.h"

namespace candor::fraud_scorer {

// The kafka::BatchHandler of fraud-scorer: decodes and validates every `review-submissions`
// message with events::DecodeReviewSubmitted (the gateway's own rules, so what it accepted
// decodes), lists the ones it refuses as poison (with the field it names), and hands the rest to
// ReviewIntake::Process as one batch. Borrows `intake`.
kafka::DecodingHandler<review::Submission> SubmissionConsumer(ReviewIntake& intake);

}  // namespace candor::fraud_scorer
