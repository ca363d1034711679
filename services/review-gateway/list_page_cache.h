#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::gateway {

// One page of ListReviews as served.
struct ListPage {
  std::vector<reviewdb::ListedReview> reviews;
  std::string next_page_token;

  // The page as a transport sends it (the gRPC service: the serialised ListReviewsResponse),
  // made by `render` on the first call and kept with the page, so that every answer from the
  // cache sends the bytes made once. Thread-safe.
  const std::shared_ptr<const std::string>& Rendered(
      const std::function<std::string(const ListPage&)>& render) const;

 private:
  struct Rendering {
    absl::once_flag once;
    std::shared_ptr<const std::string> bytes;
  };
  std::shared_ptr<Rendering> rendering_ = std::make_shared<Rendering>();
};

// Whole ListReviews pages kept in memory for at most `max_age`, keyed by the normalised request
// (product, order, filters, size, position). A product page is read by every shopper who opens
// it: within `max_age` it is answered from memory, without Redis, Postgres or a pool thread, so
// the stores see about one read per hot page per `3/4 max_age` however often it is listed.
//
// - Fresh (younger than `3/4 max_age`): served.
// - Ageing (from `3/4 max_age` to `max_age`): served, and the first such call starts one load in
//   the background whose page replaces it; popular pages therefore never expire and are never
//   older than `max_age`.
// - Missing or older than `max_age`: loaded. Concurrent calls for the same key share one load
//   (no stampede when a hot page expires) and all get its answer, page or error. An error is not
//   remembered.
//
// What a page may show late, by at most `max_age` after the stores it is built from show it: a
// new vote's counts, a new review, a changed order and a removal (a page is built from the
// ranking in Redis and the cards, which CachedReviewReads may hold for its own ttl).
//
// Bounded: at most `max_pages` pages; the least recently used one goes first. Thread-safe; the
// loader and the callers' callbacks run outside the lock.
class ListPageCache {
 public:
  using Page = std::shared_ptr<const ListPage>;
  using Answer = std::function<void(absl::StatusOr<Page>)>;
  // Starts a load of the page and calls its argument exactly once with the result.
  using Loader = std::function<void(std::function<void(absl::StatusOr<ListPage>)>)>;

  ListPageCache(const core::Clock& clock, absl::Duration max_age, size_t max_pages);

  // Calls `done` exactly once: inline on a hit, else where `load` answers.
  void Get(const std::string& key, const Loader& load, Answer done);

  struct Counts {
    int64_t hits = 0;         // answered from memory
    int64_t loads = 0;        // loads started for a caller that waited
    int64_t joined = 0;       // callers that waited on another caller's load
    int64_t refreshes = 0;    // background loads of an ageing page
    int64_t load_errors = 0;  // loads (either kind) that failed
  };
  Counts counts() const;
  size_t size() const;

 private:
  struct Slot {
    Page page;  // null while the first load runs
    absl::Time loaded;
    bool loading = false;         // a load (first or background) is running
    std::vector<Answer> waiters;  // callers waiting on the running load
    std::list<std::string>::iterator lru;
  };

  void Loaded(const std::string& key, absl::StatusOr<ListPage> result);
  void TouchLocked(Slot& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const core::Clock& clock_;
  const absl::Duration max_age_;
  const size_t max_pages_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Slot> slots_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recently used first
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::gateway
