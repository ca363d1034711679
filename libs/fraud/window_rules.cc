#include "libs/fraud/window_rules.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "absl/strings/str_cat.h"

namespace candor::fraud {

absl::Status ValidateLimits(const FeatureStoreLimits& l) {
  const std::pair<const char*, int> caps[] = {
      {"user_reviews", l.user_reviews},
      {"product_reviews", l.product_reviews},
      {"product_signatures", l.product_signatures},
      {"bucket_reviews", l.bucket_reviews},
      {"near_dup_candidates", l.near_dup_candidates},
      {"rejected_accounts", l.rejected_accounts},
  };
  for (const auto& [name, value] : caps) {
    if (value < 1) {
      return absl::InvalidArgumentError(absl::StrCat("feature store ", name, ": ", value, " < 1"));
    }
  }
  // The records of a product's signatures are those of its newest product_signatures reviews;
  // the review the cap on product_reviews drops must never be one of them.
  if (l.product_signatures >= l.product_reviews) {
    return absl::InvalidArgumentError(
        absl::StrCat("feature store product_signatures: ", l.product_signatures,
                     " must be < product_reviews (", l.product_reviews, ")"));
  }
  const absl::Duration longest_window = absl::Milliseconds(kUserKeepMs);
  if (l.window_ttl <= longest_window || l.counters_ttl < l.window_ttl) {
    return absl::InvalidArgumentError(
        absl::StrCat("feature store TTLs: window_ttl (", absl::FormatDuration(l.window_ttl),
                     ") must exceed 30 days and counters_ttl (",
                     absl::FormatDuration(l.counters_ttl), ") must be at least window_ttl"));
  }
  return absl::OkStatus();
}

int64_t ToMs(absl::Time t) { return absl::ToUnixMillis(t); }

std::string AuthorEntry(const ReviewFacts& r) {
  return absl::StrCat(r.text_length, ":", r.asin.size(), ":", r.asin, r.review_id);
}

bool IsEmptySignature(const TextSignature& s) {
  return std::all_of(s.begin(), s.end(),
                     [](uint32_t v) { return v == std::numeric_limits<uint32_t>::max(); });
}

void ApplyNearDup(const TextSignature& sig, const std::vector<NearDupCandidate>& candidates,
                  RawFeatures& raw) {
  double best = 0;
  std::unordered_set<std::string_view> accounts;
  for (const NearDupCandidate& c : candidates) {
    const double sim = EstimatedSimilarity(sig, *c.signature);
    best = std::max(best, sim);
    if (sim >= 0.5) accounts.insert(c.user);
  }
  raw.near_dup_similarity = best;
  raw.near_dup_accounts = static_cast<int64_t>(accounts.size());
}

int64_t AccountCreatedMs(const ReviewFacts& r, int64_t first_seen_ms) {
  return r.account_created ? ToMs(*r.account_created) : first_seen_ms;
}

double AgeMs(int64_t at_ms, int64_t created_ms) {
  return static_cast<double>(at_ms) - static_cast<double>(created_ms);
}

bool IsNewAccount(int64_t at_ms, int64_t created_ms) {
  return AgeMs(at_ms, created_ms) < static_cast<double>(kNewAccountAgeMs);
}

void ApplyReviewFacts(const ReviewFacts& r, int64_t created_ms, RawFeatures& raw) {
  raw.account_age_days = AgeMs(ToMs(r.at), created_ms) / static_cast<double>(kDayMs);
  raw.rating = r.rating;
  raw.verified_purchase = r.verified_purchase;
  raw.text_length = r.text_length;
}

}  // namespace candor::fraud
