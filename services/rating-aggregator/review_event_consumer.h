#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "libs/kafka/batch_loop.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// Decodes a `review-events` payload (candor.review.v1.ReviewEvent): Accepted and Restored become
// kCount, Removed kUncount. InvalidArgument, naming the problem, when the bytes do not decode, no
// event is set, or review_id (32 lower-case hex characters) or asin (10 of A-Z0-9) is missing or
// malformed; such a message is poison. Pure function.
absl::StatusOr<LedgerEvent> DecodeEvent(std::string_view bytes);

// The kafka::BatchHandler of rating-aggregator: decodes every message, lists the bad ones as
// poison, and hands the rest, in offset order, to the Aggregator as one batch. Returns the
// Aggregator's status unchanged, so its code tells the batch loop the kind of failure: the
// ledger's FailedPrecondition (a CHECK on product_ratings refused the batch) is deterministic and
// gets the culprit isolated and dead-lettered; Unavailable / Aborted are retried. Borrows
// `aggregator`.
class ReviewEventConsumer final : public kafka::BatchHandler {
 public:
  explicit ReviewEventConsumer(Aggregator& aggregator) : aggregator_(aggregator) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  Aggregator& aggregator_;
};

}  // namespace candor::rating_aggregator
