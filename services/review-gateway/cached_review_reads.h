#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// ReviewReads that remembers the review cards ListReviews shows (Cards) for `ttl`, in front of
// another ReviewReads (Postgres). A product page asks for the same few dozen cards on every
// call; within `ttl` they are served from memory, so the store sees one read per card and ttl
// however often a hot product is listed.
//
// What it may serve late, by at most `ttl`: a card's helpful / total counts and a review's
// status change (a review removed less than `ttl` ago can still fill a slot the ranking cache
// gives it; the ranking cache drops it first, so ListReviews' order already leaves it out).
// Title, text, stars, verification and date never change. Head (VoteHelpful's check of the
// status) and List (the keyset pages below the cached ranking) always go to the store.
//
// Bounded: at most `max_entries` cards; when full, expired cards are dropped and, if that is not
// enough, all of them. Thread-safe; the store is called outside the lock.
class CachedReviewReads final : public ReviewReads {
 public:
  CachedReviewReads(ReviewReads& store, const core::Clock& clock, absl::Duration ttl,
                    size_t max_entries)
      : store_(store), clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

  absl::StatusOr<std::optional<reviewdb::ReviewHead>> Head(const std::string& review_id) override {
    return store_.Head(review_id);
  }
  absl::StatusOr<std::vector<reviewdb::ListedReview>> List(
      const reviewdb::ReviewListQuery& query) override {
    return store_.List(query);
  }
  // The fresh cards from memory, the rest from the store in one call (the store's answer is
  // what is remembered: an id it does not return, not stored or not active, is asked again).
  absl::StatusOr<std::vector<reviewdb::ListedReview>> Cards(
      const std::vector<std::string>& review_ids) override;

  // Cards answered from memory and from the store, since the start.
  struct Counts {
    int64_t hits = 0;
    int64_t misses = 0;
  };
  Counts counts() const;

 private:
  struct Entry {
    reviewdb::ListedReview card;
    absl::Time fetched;
  };
  void Remember(const std::vector<reviewdb::ListedReview>& cards, absl::Time now);

  ReviewReads& store_;
  const core::Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cards_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::gateway
