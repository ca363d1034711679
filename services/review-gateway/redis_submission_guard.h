#pragma once

#include "libs/redis/redis_client.h"
#include "services/review-gateway/submission_guard.h"

namespace candor::gateway {

// SubmissionGuard on Redis: one Lua script per Admit (one round trip, atomic), one per Release.
// Keys share the hash tag {user} so a Redis Cluster keeps them in one slot:
//   g:{user}:fp:<fingerprint>  exact-duplicate marker, TTL fingerprint_ttl
//   g:{user}:p:<asin>          one-per-product marker, TTL per_product_window
//   g:{user}:w                 sorted set of review ids scored by submit time (ms)
// Borrows `client`.
class RedisSubmissionGuard final : public SubmissionGuard {
 public:
  RedisSubmissionGuard(redis::Client& client, GuardPolicy policy)
      : client_(client), policy_(policy) {}
  absl::StatusOr<GuardVerdict> Admit(const review::Submission& s, absl::Time now) override;
  absl::Status Release(const review::Submission& s) override;

 private:
  redis::Client& client_;
  GuardPolicy policy_;
};

}  // namespace candor::gateway
