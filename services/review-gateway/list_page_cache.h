#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
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
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// One page of ListReviews as served.
struct ListPage {
  std::vector<reviewdb::ListedReview> reviews;
  std::string next_page_token;
  // The ranking read (Redis) the page was built from, when it was built from that alone (no
  // Postgres query for positions below it): while the same read answers the same, the page's
  // order and membership are what the ranking says, and a reload may keep the page.
  std::optional<RankedRead> ranking;

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
// the stores see about one reload per hot page per `3/4 max_age` however often it is listed.
//
// - Fresh (younger than `3/4 max_age`): served.
// - Ageing (from `3/4 max_age` to `max_age`): served, and the first such call starts one load in
//   the background whose page replaces it; popular pages therefore never expire and are never
//   older than `max_age`.
// - Missing or older than `max_age`: loaded. Concurrent calls for the same key share one load
//   (no stampede when a hot page expires) and all get its answer, page or error. An error is not
//   remembered.
//
// A reload is handed the page it would replace while that page was built less than its share
// of `rebuild_after` ago (from half of it to all of it, spread by key and build time, so pages
// built together at a cold start are not all rebuilt together); a loader that finds the page still
// true (ReviewLister: its ranking in Redis unchanged) answers with that same page, which then
// counts as loaded now but keeps its build time and its rendered bytes. So a hot page whose ranking
// does not move costs one Redis read per reload and one build from Postgres per at most
// `rebuild_after`, not one per reload.
//
// What a page may show late: what its loader checks (a new vote's order, a new review, a
// removal from the ranking) by at most `max_age` after the stores show it; what the loader does
// not check (a card's counts when the order stays, a removal the ranking has not applied yet) by
// at most `max(max_age, rebuild_after)` (and CachedReviewReads' ttl).
//
// Bounded: at most `max_pages` pages; the least recently used one goes first. Thread-safe; the
// loader and the callers' callbacks run outside the lock.
class ListPageCache {
 public:
  using Page = std::shared_ptr<const ListPage>;
  using Answer = std::function<void(absl::StatusOr<Page>)>;
  // Starts a load of the page and calls `done` exactly once with the result: a new page, or
  // `previous` (the page held, while built less than `rebuild_after` ago; else null) when it is
  // still true.
  using Loader = std::function<void(const Page& previous, Answer done)>;

  // `rebuild_after` zero: every reload builds a new page.
  ListPageCache(const core::Clock& clock, absl::Duration max_age, size_t max_pages,
                absl::Duration rebuild_after);

  // Calls `done` exactly once: inline on a hit, else where `load` answers.
  void Get(const std::string& key, const Loader& load, Answer done);

  struct Counts {
    int64_t hits = 0;         // answered from memory
    int64_t loads = 0;        // loads started for a caller that waited
    int64_t joined = 0;       // callers that waited on another caller's load
    int64_t refreshes = 0;    // background loads of an ageing page
    int64_t load_errors = 0;  // loads (either kind) that failed
    int64_t kept = 0;         // loads (either kind) that kept the page they were handed
  };
  Counts counts() const;
  size_t size() const;

 private:
  struct Slot {
    Page page;                    // null while the first load runs
    absl::Time loaded;            // when `page` was last loaded, or kept by a load
    absl::Time keep_until;        // till when a load may keep `page` (its build + its share)
    bool loading = false;         // a load (first or background) is running
    std::vector<Answer> waiters;  // callers waiting on the running load
    std::list<std::string>::iterator lru;
  };

  void Loaded(const std::string& key, absl::StatusOr<Page> result);
  // A page's share of `rebuild_after_`, from half to all of it, by its key and build time.
  absl::Duration KeepFor(const std::string& key, absl::Time built) const;
  void TouchLocked(Slot& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const core::Clock& clock_;
  const absl::Duration max_age_;
  const size_t max_pages_;
  const absl::Duration rebuild_after_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Slot> slots_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recently used first
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::gateway
