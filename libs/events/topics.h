#pragma once

namespace candor::events {

// The Kafka topics whose payloads libs/events encodes (every topic is keyed by asin). Services
// name a topic by these constants, never by a string literal, so a rename is one change here.
// A consumer's dead letters go to "<topic>.dlq" (libs/kafka's batch loop).

// candor.review.v1.ReviewSubmitted: review-gateway -> fraud-scorer (review_submitted.h).
inline constexpr char kReviewSubmissionsTopic[] = "review-submissions";

// candor.review.v1.ReviewEvent (Accepted / Removed / Restored): fraud-scorer and moderation ->
// rating-aggregator and the other read models (review_events.h).
inline constexpr char kReviewEventsTopic[] = "review-events";

}  // namespace candor::events
