#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::gateway {

// Port: the stored reviews' status and latest scoring decision, the review ledger's read side
// for GetReviewStatus. Get blocks (a database read): call it on an Executor, never on a gRPC or
// Redis I/O thread. Returns nullopt for a review that is not stored, Unavailable when the store
// cannot be reached. Thread-safe; never throws.
class ReviewDecisions {
 public:
  virtual ~ReviewDecisions() = default;
  virtual absl::StatusOr<std::optional<reviewdb::ReviewDecision>> Get(
      const std::string& review_id) = 0;
};

}  // namespace candor::gateway
