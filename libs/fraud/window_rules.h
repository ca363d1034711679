#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/fraud/feature_store.h"
#include "libs/fraud/raw_features.h"
#include "libs/fraud/text_signature.h"

namespace candor::fraud {

// What both FeatureStore implementations share, so that they hold the same state and compute the
// same rows (README.md, "Windows and state", says the same in prose). Times are Unix
// milliseconds of ReviewFacts::at.

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 24 * kHourMs;
// The windows of features.h.
inline constexpr int64_t kWindow7dMs = 7 * kDayMs;
inline constexpr int64_t kWindow30dMs = 30 * kDayMs;
// An account younger than this at a review makes it a new-account review of its product.
inline constexpr int64_t kNewAccountAgeMs = 30 * kDayMs;
// How far behind a key's newest time its entries are kept. The author's recent reviews are kept
// longer than the 7 d window because they also recognise a redelivered review.
inline constexpr int64_t kUserKeepMs = 30 * kDayMs;
inline constexpr int64_t kProductKeepMs = 30 * kDayMs;     // the velocity baseline
inline constexpr int64_t kNewAccountKeepMs = kDayMs;       // the new-account ratio
inline constexpr int64_t kNearDupWindowMs = 30 * kDayMs;   // signatures and their buckets
inline constexpr int64_t kRejectedWindowMs = 30 * kDayMs;  // rejected accounts per address

// Bounds on what a store keeps; each cap keeps the newest entries by (time, id). Defaults suit
// the service; tests shrink them to see trimming.
struct FeatureStoreLimits {
  int user_reviews = 1000;       // an author's recent reviews (30 d)
  int product_reviews = 20000;   // a product's reviews of 30 d (and its 24 h new-account ones)
  int product_signatures = 500;  // a product's newest reviews that keep their text signature
  int bucket_reviews = 16;       // review ids per LSH bucket, newest kept
  int near_dup_candidates = 64;  // candidates examined per review
  int rejected_accounts = 1000;  // rejected accounts per address or device
  // Idle keys expire: windows after window_ttl without a write, an author's or product's
  // lifetime counters after counters_ttl. Redis counts wall-clock time; the memory store counts
  // the newest review time it has seen.
  absl::Duration window_ttl = absl::Hours(24 * 31);
  absl::Duration counters_ttl = absl::Hours(24 * 400);
};

// OK, or InvalidArgument naming the first bad field (every cap >= 1, product_signatures <
// product_reviews, TTLs longer than the windows they hold).
absl::Status ValidateLimits(const FeatureStoreLimits& limits);

// ReviewFacts::at (or a creation claim) in Unix milliseconds, rounded down.
int64_t ToMs(absl::Time t);

// The identity of one review in its author's window: "<text_length>:<asin bytes>:<asin><review
// id>". It orders entries of equal time, recognises a redelivery, and carries what the author's
// 24 h / 7 d features need.
std::string AuthorEntry(const ReviewFacts& r);

// Whether `s` is the signature of a text without words (every value max): such a review takes
// no part in near-duplicate detection.
bool IsEmptySignature(const TextSignature& s);

// The near-duplicate features from the candidates a store found for `sig` (other accounts' 30 d
// reviews of the product sharing a band): the highest estimated similarity, and the distinct
// accounts at >= 0.5.
struct NearDupCandidate {
  std::string_view user;
  const TextSignature* signature;
};
void ApplyNearDup(const TextSignature& sig, const std::vector<NearDupCandidate>& candidates,
                  RawFeatures& raw);

// When the author's account was created, for its age: the identity provider's claim when the
// review carries one, else `first_seen_ms` (the earliest review time the store has of the
// author, this review included).
int64_t AccountCreatedMs(const ReviewFacts& r, int64_t first_seen_ms);

// The account's age at the review, in milliseconds, as a double: a creation claim may be any
// time at all (absl's infinite past included), and the difference must not overflow. The Redis
// script computes it the same way (Lua numbers are doubles).
double AgeMs(int64_t at_ms, int64_t created_ms);

// Whether the account was younger than kNewAccountAgeMs at the review.
bool IsNewAccount(int64_t at_ms, int64_t created_ms);

// Fills the review's own fields of `raw` (rating, verified, text length) and the account age at
// the review from `created_ms`.
void ApplyReviewFacts(const ReviewFacts& r, int64_t created_ms, RawFeatures& raw);

}  // namespace candor::fraud
