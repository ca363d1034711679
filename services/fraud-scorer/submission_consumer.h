#pragma once

#include "libs/kafka/batch_loop.h"
#include "libs/review/submission.h"
#include "services/fraud-scorer/intake.h"

namespace candor::fraud_scorer {

// The kafka handler of fraud-scorer's `review-submissions` loop.
using SubmissionHandler = kafka::StagedDecodingHandler<review::Submission, ScoredBatch>;

// The kafka::StagedBatchHandler of fraud-scorer: decodes and validates every `review-submissions`
// message with events::DecodeReviewSubmitted (the gateway's own rules, so what it accepted
// decodes), lists the ones it refuses as poison (with the field it names), and hands the rest to
// ReviewIntake in two stages: Score as the batch's Prepare, Store (store, publish) as its Apply.
// RunBatchLoop scores the next batch while this one is stored. Borrows `intake`.
SubmissionHandler SubmissionConsumer(ReviewIntake& intake);

}  // namespace candor::fraud_scorer
