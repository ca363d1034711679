#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/review-gateway/executor_testing.h"
#include "services/review-gateway/helpful_ports.h"

// Tests only: in-memory fakes of the VoteHelpful and ListReviews ports (with InlineExecutor, to
// run their work).
namespace candor::gateway::testing {

// Reviews in memory; List orders as Postgres does (keyset, descending).
class FakeReviewReads final : public ReviewReads {
 public:
  absl::StatusOr<std::optional<reviewdb::ReviewHead>> Head(const std::string& id) override {
    if (down) return absl::UnavailableError("postgres down");
    auto it = heads.find(id);
    if (it == heads.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<std::vector<reviewdb::ListedReview>> List(
      const reviewdb::ReviewListQuery& q) override {
    if (down) return absl::UnavailableError("postgres down");
    lists.push_back(q);
    std::vector<reviewdb::ListedReview> out;
    for (const reviewdb::ListedReview& r : ranked) {  // best first
      if (q.after_key && std::make_pair(*r.sort_key, r.review_id) >= *q.after_key) continue;
      if (q.stars_mask != 0 && (q.stars_mask & (1U << (r.rating - 1))) == 0) continue;
      if (static_cast<int>(out.size()) == q.limit) break;
      out.push_back(r);
    }
    return out;
  }
  absl::StatusOr<std::vector<reviewdb::ListedReview>> Cards(
      const std::vector<std::string>& ids) override {
    if (down) return absl::UnavailableError("postgres down");
    cards_asked.push_back(ids);
    std::vector<reviewdb::ListedReview> out;
    for (const reviewdb::ListedReview& r : ranked) {
      for (const std::string& id : ids) {
        if (id == r.review_id) out.push_back(r);
      }
    }
    return out;
  }
  std::map<std::string, reviewdb::ReviewHead> heads;
  std::vector<reviewdb::ListedReview> ranked;  // active, best first
  std::vector<reviewdb::ReviewListQuery> lists;
  std::vector<std::vector<std::string>> cards_asked;  // each Cards call's ids
  bool down = false;
};

class FakeRankingReader final : public RankingReader {
 public:
  void Read(const std::string&, int n, const std::optional<std::pair<double, std::string>>& after,
            std::function<void(absl::StatusOr<std::optional<RankedRead>>)> done) override {
    if (!known) {
      done(std::optional<RankedRead>());
      return;
    }
    RankedRead out;
    out.complete = complete;
    for (const RankedEntry& e : entries) {
      if (after && std::make_pair(e.sort_key, e.review_id) >= *after) continue;
      if (static_cast<int>(out.entries.size()) == n) break;
      out.entries.push_back(e);
    }
    done(std::optional<RankedRead>(out));
  }
  bool known = true;
  bool complete = false;             // entries are every ranked review of the product
  std::vector<RankedEntry> entries;  // best first
};

}  // namespace candor::gateway::testing
