#pragma once

#include "libs/kafka/batch_loop.h"
#include "libs/review/review_event.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/ledger.h"

namespace candor::rating_aggregator {

// What `event` asks of the ledger: Accepted and Restored become kCount, Removed kUncount. The
// rating and author are not carried: the ledger reads them from the reviews row. Pure function.
LedgerEvent ToLedgerEvent(review::ReviewEvent event);

// The kafka::BatchHandler of rating-aggregator: decodes every `review-events` message with
// events::DecodeReviewEvent, lists the ones it refuses as poison (with the field it names), and
// hands the rest (ToLedgerEvent), in offset order, to Aggregator::Apply as one batch. Returns the
// Aggregator's status unchanged, so its code tells the batch loop the kind of failure: the
// ledger's FailedPrecondition (a CHECK on product_ratings refused the batch) is deterministic and
// gets the culprit isolated and dead-lettered; Unavailable / Aborted are retried. Borrows
// `aggregator`.
kafka::DecodingHandler<LedgerEvent> ReviewEventConsumer(Aggregator& aggregator);

}  // namespace candor::rating_aggregator
