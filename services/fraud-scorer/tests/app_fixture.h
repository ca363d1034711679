#pragma once

// The base fixture of the fraud-scorer's integration tests (fraud_scorer_integration_test,
// fraud_scorer_dead_letter_test).
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/wait.h"

namespace candor::fraud_scorer {

// The real App (CreateApp) on an in-process mock cluster that has review-submissions, which it
// consumes, and review-events, which it publishes to; the stack's Postgres and Redis.
class FraudScorerAppTest : public testing::ConsumerAppTest {
 protected:
  FraudScorerAppTest()
      : ConsumerAppTest({events::kReviewSubmissionsTopic}, {events::kReviewEventsTopic}) {}

  // The stored row of `review_id`, or nullopt when it is not stored.
  std::optional<reviewdb::testing::ReviewRow> StoredReview(const std::string& review_id) {
    return reviewdb::testing::ReadReview(*pool_, review_id);
  }

  // Waits until `review_id` is stored; false when it is not by WaitUntil's deadline.
  bool WaitStored(const std::string& review_id) {
    return testing::WaitUntil([&] { return StoredReview(review_id).has_value(); });
  }
};

}  // namespace candor::fraud_scorer
