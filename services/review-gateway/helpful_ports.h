#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/helpful_vote.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::gateway {

// The ports of VoteHelpful and ListReviews (vote_intake.h, review_lister.h). Implementations are
// thread-safe and never throw; asynchronous ones call `done` exactly once, possibly on another
// thread, and `done` must not block.

// Port: the stored reviews' read side for votes and pages (Postgres, libs/reviewdb). Blocks:
// call it on an Executor. Unavailable when the store cannot be reached.
class ReviewReads {
 public:
  virtual ~ReviewReads() = default;
  // The review's product, author and status; nullopt when it is not stored.
  virtual absl::StatusOr<std::optional<reviewdb::ReviewHead>> Head(
      const std::string& review_id) = 0;
  // reviewdb::ReviewDb::ListReviews: one keyset page of a product's active reviews.
  virtual absl::StatusOr<std::vector<reviewdb::ListedReview>> List(
      const reviewdb::ReviewListQuery& query) = 0;
  // The active reviews among `review_ids`, in no particular order.
  virtual absl::StatusOr<std::vector<reviewdb::ListedReview>> Cards(
      const std::vector<std::string>& review_ids) = 0;
};

// The verdict of a VoteLimiter: admitted, or limited until `retry_after` has passed.
struct VoteAdmission {
  bool admitted = true;
  absl::Duration retry_after;
};

// Port: a per-user sliding-window limit on votes (Redis). Admit counts the vote when admitted.
class VoteLimiter {
 public:
  virtual ~VoteLimiter() = default;
  virtual void Admit(const std::string& user_id, absl::Time now,
                     std::function<void(absl::StatusOr<VoteAdmission>)> done) = 0;
  virtual int64_t limit() const = 0;
  virtual absl::Duration window() const = 0;
};

// Port: the durable log votes go to (Kafka `helpful-votes`): OK only once it has the vote,
// Unavailable when it did not confirm within its budget.
class VoteLog {
 public:
  virtual ~VoteLog() = default;
  virtual void Publish(const review::HelpfulVote& vote, std::function<void(absl::Status)> done) = 0;
};

// One member of a product's cached ranking.
struct RankedEntry {
  std::string review_id;
  double sort_key = 0;
};

// What the ranking cache answered for a product it knows.
struct RankedRead {
  std::vector<RankedEntry> entries;  // best first
  // The cache holds every ranked review of the product (its floor is "-"): nothing of the order
  // lies below the last entry, so Postgres need not be asked for the rest of a page.
  bool complete = false;
};

// Port: the ranking cache's read side (Redis helpful:{asin}, libs/rankcache): up to `n` members
// after `after` ((sort key, review id) of the previous page's last), best first; nullopt when the
// cache does not know the product (read Postgres instead). Unavailable when unreachable.
class RankingReader {
 public:
  virtual ~RankingReader() = default;
  virtual void Read(const std::string& asin, int n,
                    const std::optional<std::pair<double, std::string>>& after,
                    std::function<void(absl::StatusOr<std::optional<RankedRead>>)> done) = 0;
};

}  // namespace candor::gateway
