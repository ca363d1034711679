#include "services/review-gateway/cached_review_reads.h"

#include <utility>

#include "absl/container/flat_hash_set.h"

namespace candor::gateway {

absl::StatusOr<std::vector<reviewdb::ListedReview>> CachedReviewReads::Cards(
    const std::vector<std::string>& review_ids) {
  const absl::Time now = clock_.Now();
  std::vector<reviewdb::ListedReview> cards;
  std::vector<std::string> missing;
  {
    absl::flat_hash_set<std::string_view> seen;
    absl::MutexLock lock(&mu_);
    for (const std::string& id : review_ids) {
      if (!seen.insert(id).second) continue;
      auto it = cards_.find(id);
      if (it != cards_.end() && now - it->second.fetched < ttl_) {
        cards.push_back(it->second.card);
        ++counts_.hits;
      } else {
        missing.push_back(id);
        ++counts_.misses;
      }
    }
  }
  if (missing.empty()) return cards;
  absl::StatusOr<std::vector<reviewdb::ListedReview>> stored = store_.Cards(missing);
  if (!stored.ok()) return stored.status();
  Remember(*stored, now);
  for (reviewdb::ListedReview& card : *stored) cards.push_back(std::move(card));
  return cards;
}

void CachedReviewReads::Remember(const std::vector<reviewdb::ListedReview>& cards, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (cards_.size() + cards.size() > max_entries_) {
    absl::erase_if(cards_, [&](const auto& kv) { return now - kv.second.fetched >= ttl_; });
    if (cards_.size() + cards.size() > max_entries_) cards_.clear();
  }
  for (const reviewdb::ListedReview& card : cards) {
    if (cards_.size() >= max_entries_) break;
    cards_.insert_or_assign(card.review_id, Entry{card, now});
  }
}

CachedReviewReads::Counts CachedReviewReads::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

}  // namespace candor::gateway
