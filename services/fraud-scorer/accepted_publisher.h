#pragma once

#include <vector>

#include "absl/status/status.h"
#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer {

// Port: announces active reviews downstream (the `Accepted` event, design.md 3.4).
class AcceptedPublisher {
 public:
  virtual ~AcceptedPublisher() = default;
  // Publishes one Accepted event per review and waits until every one is confirmed. OK only when
  // all are; otherwise Unavailable (some may have been delivered: consumers are idempotent, and
  // the caller publishes all of them again). Thread-safe.
  virtual absl::Status PublishAccepted(const std::vector<StoredReview>& reviews) = 0;
};

}  // namespace candor::fraud_scorer
