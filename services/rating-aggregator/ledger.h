#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/review/rating_aggregate.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::rating_aggregator {

// One review-events message, reduced to what the ledger needs. Accepted and Restored ask for the
// review to count; Removed asks for it to stop counting. The rating and verified flag are read
// from the reviews row (the ledger), never from the event.
struct LedgerEvent {
  enum class Kind { kCount, kUncount };
  std::string review_id;
  std::string asin;
  Kind kind = Kind::kCount;
};

// A set of flips that may run in any order relative to each other: no review is in both lists
// (the review tables' own type, libs/reviewdb).
using LedgerPhase = reviewdb::CountPhase;

// Splits a batch (in offset order) into phases to run one after another, so that the events of
// any one review take effect in offset order: a new phase starts only when a review already in
// the current phase appears again with the opposite kind. A review repeated with the same kind in
// a phase is listed once (flips are idempotent). A typical batch is one phase. Pure function.
std::vector<LedgerPhase> PlanPhases(const std::vector<LedgerEvent>& events);

// What one ledger transaction did: the aggregates after the commit and the flip counts.
using LedgerResult = reviewdb::CountResult;

// Port: the review ledger and the durable aggregates (design.md 3.5). Thread-safe; never throws.
class RatingLedger {
 public:
  virtual ~RatingLedger() = default;
  // In one transaction, runs the phases in order. A count flips a review's `counted` false ->
  // true only while its status is kActive; an uncount flips it true -> false only while its
  // status is not (removed by a moderator, held or rejected by a re-score). Those guards make
  // every event idempotent and order-safe: a redelivered Accepted cannot re-count a removed
  // review, a stale Removed cannot uncount a restored one. Each product whose flipped reviews
  // change its sums gets them added in one upsert, with version + 1. Returns the aggregates of
  // `touched_asins` and of every changed product. Unavailable / Aborted / Internal from the
  // database.
  virtual absl::StatusOr<LedgerResult> Apply(const std::vector<LedgerPhase>& phases,
                                             const std::vector<std::string>& touched_asins) = 0;
};

// Port: what the reconciler (rating_reconciler.h) asks of the ledger beyond Apply: the sums
// recomputed from the counted reviews, and their repair. Thread-safe; never throws;
// Unavailable / Internal from the database.
class LedgerAudit {
 public:
  virtual ~LedgerAudit() = default;
  // The aggregate of each of `asins` summed over its counted reviews (version 0), in asin order;
  // a product without counted reviews is absent.
  virtual absl::StatusOr<std::vector<review::RatingAggregate>> CountedSums(
      const std::vector<std::string>& asins) = 0;
  // Up to `limit` products with counted reviews and no aggregate row, in asin order.
  virtual absl::StatusOr<std::vector<std::string>> UnratedCountedAsins(int limit) = 0;
  // In one transaction, sets each product's aggregate to its counted sums with a version past
  // both its own and `min_versions[i]`; returns the aggregates as they now stand, in asin order.
  virtual absl::StatusOr<std::vector<review::RatingAggregate>> Recount(
      const std::vector<std::string>& asins, const std::vector<int64_t>& min_versions) = 0;
};

}  // namespace candor::rating_aggregator
