#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/review/submission.h"

namespace candor::events {

// The codec of topic `review-submissions` (kReviewSubmissionsTopic, key asin): a
// review::Submission as candor.review.v1.ReviewSubmitted. review-gateway encodes, fraud-scorer
// decodes. All three functions are pure and thread-safe.

// The payload for `s`. Does not validate: the producer checks `s` (ValidateReviewSubmitted, or the
// two review:: checks it is made of) before it decides to publish. `s.submitted_at`, and
// `s.account_created_at` when set, must be finite.
std::string EncodeReviewSubmitted(const review::Submission& s);

// The inverse of EncodeReviewSubmitted, then ValidateReviewSubmitted, so that whatever the gateway
// accepted decodes and PostgreSQL can store it (invariant I1). Fields unknown to this version are
// ignored (a newer producer may add some). InvalidArgument otherwise, its message starting with
// the field ("body: ...", "submitted_at: required"), or "cannot decode ..." for bytes that are
// not the message (protobuf also refuses invalid UTF-8 in a string field); such a payload is
// poison for the consumer's dead-letter topic.
absl::StatusOr<review::Submission> DecodeReviewSubmitted(std::string_view bytes);

// The rules every submission on the topic obeys: review::ValidateSubmission on the shopper's
// fields, then review::ValidateGatewayFields on user id, fingerprint, review id, submission time
// (an imported review's from 1995 on), account creation time and client address.
// InvalidArgument naming the field, or OK.
absl::Status ValidateReviewSubmitted(const review::Submission& s);

}  // namespace candor::events
