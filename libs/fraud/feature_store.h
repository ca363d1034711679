#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/fraud/features.h"
#include "libs/fraud/text_signature.h"

namespace candor::fraud {

// What the feature store is told about one review: the facts of the review itself, as the
// scorer has them after decoding. Plain data.
struct ReviewFacts {
  std::string review_id;
  std::string user_id;
  std::string asin;
  int rating = 0;  // 1..5
  bool verified_purchase = false;
  int64_t text_length = 0;  // body length in code points
  absl::Time at;            // the review's own time: submission time, or the original time of
                            // an imported review; every window runs on it
  std::optional<absl::Time> account_created;  // the identity provider's claim, when given
  std::string client_ip;                      // may be empty
  std::string device_id;                      // may be empty
  TextSignature signature;                    // of the normalised title and body
};

// Port: the sliding behaviour windows the scorer keeps itself (design.md 4): per user, per
// product, per client address and device, per product's text signatures. Implementations: the
// Redis adapter (the service) and an in-memory one with the same semantics (the trainer's
// simulator and tests); a test holds the two equal on the same stream.
//
// RecordBatch records each review and returns its features, in order: a later review of the batch
// sees the earlier ones, exactly as one call per review would. Recording is idempotent per review
// id (a redelivered review changes no counter and gets the features it got the first time, up to
// what later reviews added). Memory is bounded: entries older than their window before the newest
// time seen are trimmed, keys expire when idle. The datacenter flag is not the store's: the caller
// sets Feature::kDatacenterIp (see CidrList). One round trip per call for a remote store.
// Returns a per-review error when that review could not be recorded (its script failed), and the
// same Unavailable error for every review when the store cannot be reached. Never throws.
//
// MarkRejected notes that these reviews were rejected, so their client address and device count
// against other accounts (Feature::kSharedIpRejected, kSharedDeviceRejected). A remote store may
// send the marks with the next RecordBatch's round trip; marks lost in a crash only weaken a
// feature. Not thread-safe: one consumer thread owns a store.
class FeatureStore {
 public:
  virtual ~FeatureStore() = default;
  virtual std::vector<absl::StatusOr<FeatureRow>> RecordBatch(
      const std::vector<ReviewFacts>& reviews) = 0;
  virtual void MarkRejected(const std::vector<ReviewFacts>& reviews) = 0;
};

}  // namespace candor::fraud
