#pragma once

#include <string>
#include <string_view>

namespace candor::events {

// The Kafka topics whose payloads libs/events encodes (every topic is keyed by asin). Services
// name a topic by these constants, never by a string literal, so a rename is one change here.

// candor.review.v1.ReviewSubmitted: review-gateway -> fraud-scorer (review_submitted.h).
inline constexpr char kReviewSubmissionsTopic[] = "review-submissions";

// candor.review.v1.ReviewEvent (Accepted / Removed / Restored): fraud-scorer and moderation ->
// rating-aggregator and the other read models (review_events.h).
inline constexpr char kReviewEventsTopic[] = "review-events";

// candor.review.v1.HelpfulVote: review-gateway (VoteHelpful) -> helpfulness-ranker
// (helpful_votes.h).
inline constexpr char kHelpfulVotesTopic[] = "helpful-votes";

// candor.review.v1.ReviewScore: helpfulness-ranker -> the search index (review_scores.h).
inline constexpr char kReviewScoresTopic[] = "review-scores";

// candor.reco.v1.RecoImpression: reco-api -> the conversion report (reco_impressions.h).
inline constexpr char kRecoImpressionsTopic[] = "reco-impressions";

// The topic a consumer of `topic` dead-letters to: "<topic>.dlq", the name libs/kafka's batch
// loop (kafka::SendToDeadLetter) gives it. For code that creates or reads dead-letter topics
// (the dev broker, tests); the consumer services' dead-letter tests check that both agree.
inline std::string DeadLetterTopic(std::string_view topic) { return std::string(topic) + ".dlq"; }

}  // namespace candor::events
