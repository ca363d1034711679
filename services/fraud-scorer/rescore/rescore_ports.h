#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/review/review_event.h"
#include "libs/reviewdb/review_rows.h"

// The re-scorer's ports (style.md: domain code knows nothing of Postgres or Kafka).
namespace candor::fraud_scorer::rescore {

// The review tables as a re-score reads and writes them. Adapter: PgRescoreStore (libs/reviewdb's
// CountRescoreCandidates, ListRescoreCandidates and ApplyRescores, whose comments say what each
// does). Thread-safe; never throws; Unavailable / Aborted / Internal from the database.
class RescoreStore {
 public:
  virtual ~RescoreStore() = default;
  virtual absl::StatusOr<int64_t> Count(const reviewdb::RescoreSelection& selection) = 0;
  virtual absl::StatusOr<reviewdb::CandidatePage> Page(const reviewdb::RescoreSelection& selection,
                                                       const std::string& cursor, int limit) = 0;
  // In one transaction; returns the decisions enacted (their reviews unchanged since the read).
  virtual absl::StatusOr<std::vector<reviewdb::AppliedRescore>> Apply(
      const std::vector<reviewdb::RescoreDecision>& decisions) = 0;
};

// review-events. Publish returns OK once Kafka confirmed every event, an error (Unavailable)
// when one failed or was not confirmed in time. Adapter: KafkaEventPublisher. Never throws.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual absl::Status Publish(const std::vector<review::ReviewEvent>& events) = 0;
};

}  // namespace candor::fraud_scorer::rescore
