#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/fraud/feature_store.h"
#include "libs/fraud/window_rules.h"
#include "libs/redis/redis_client.h"

namespace candor::fraud {

// FeatureStore on one Redis (README.md, "Redis keys"). One Lua script call records up to
// kMaxReviewsPerCall reviews in order, each reading and updating its author's, product's, client
// address's and device's keys, and returns per review the raw window numbers and its
// near-duplicate candidates; the features are computed here (ComputeFeatures), exactly as
// MemoryFeatureStore computes them. RecordBatch sends the queued marks and then the batch's calls
// in one pipeline (redis::Client::EvalPipeline): one round trip per batch, and a later review of
// the batch sees the earlier ones.
//
// Every key is named with a Redis Cluster hash tag of its author, product, address or device, but
// one script touches several of them, so it runs on a single Redis, not across Cluster slots
// (README.md says what a Cluster deployment would change).
//
// Failures: when the pipeline fails (Redis unreachable, a timeout), every review gets the same
// Unavailable error, and for `cooldown` afterwards RecordBatch answers Unavailable at once without
// touching Redis, so an outage costs one timeout per cooldown rather than one per batch. A script
// error fails its review alone (Internal: each review runs in the script's pcall). MarkRejected
// queues the marks (at most kMaxQueuedMarks, the oldest dropped beyond) and sends them in front of
// the next RecordBatch's calls; they stay queued until a pipeline carrying them completes. Borrows
// `client` and `clock`. Not thread-safe.
class RedisFeatureStore final : public FeatureStore {
 public:
  static constexpr std::size_t kMaxQueuedMarks = 100000;
  // Reviews recorded by one script call; a larger batch takes several calls in its pipeline.
  static constexpr std::size_t kMaxReviewsPerCall = 250;
  // How often (wall clock) a product's window keys get their TTL again: they expire window_ttl to
  // window_ttl + kTtlRefresh after their last write.
  static constexpr absl::Duration kTtlRefresh = absl::Hours(1);

  // `key_prefix` starts every key ("fr:" in the service; tests use their own). Aborts with a
  // message when ValidateLimits(limits) fails.
  RedisFeatureStore(redis::Client& client, const core::Clock& clock, FeatureStoreLimits limits = {},
                    std::string key_prefix = "fr:", absl::Duration cooldown = absl::Seconds(2));

  std::vector<absl::StatusOr<FeatureRow>> RecordBatch(
      const std::vector<ReviewFacts>& reviews) override;
  void MarkRejected(const std::vector<ReviewFacts>& reviews) override;

  // Marks waiting for the next RecordBatch.
  std::size_t queued_marks() const { return marks_.size(); }
  // Marks Redis refused (a script error); they are dropped.
  int64_t failed_marks() const { return failed_marks_; }

  // The keys (README.md). Each is "<prefix><kind>:{<id>}<suffix>" with the id as a hash tag.
  std::string AuthorKey(const std::string& user_id) const;        // string (msgpack)
  std::string ProductCountersKey(const std::string& asin) const;  // string (msgpack)
  std::string ProductReviewsKey(const std::string& asin) const;   // sorted set (both windows)
  std::string ProductTextKey(const std::string& asin) const;      // hash: signature records
  std::string ProductIndexKey(const std::string& asin) const;     // string: band keys by slot
  std::string AddressKey(const std::string& client_ip) const;     // sorted set
  std::string DeviceKey(const std::string& device_id) const;      // sorted set

 private:
  // Appends review `r` to a batch call of the script: its keys and its packed facts.
  void AddReview(const ReviewFacts& r, redis::ScriptCall& call) const;
  absl::StatusOr<FeatureRow> ParseRow(const ReviewFacts& r, const redis::Reply& reply) const;

  redis::Client& client_;
  const core::Clock& clock_;
  FeatureStoreLimits limits_;
  std::string prefix_;
  absl::Duration cooldown_;
  redis::Script script_;
  std::deque<redis::ScriptCall> marks_;
  int64_t failed_marks_ = 0;
  absl::Time skip_until_ = absl::InfinitePast();
};

}  // namespace candor::fraud
