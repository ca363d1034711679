#pragma once

#include "libs/redis/async_client.h"
#include "services/review-gateway/submission_guard.h"

namespace candor::gateway {

// SubmissionGuard on Redis: one Lua script per Admit, Confirm and Release (each atomic; concurrent
// calls share round trips through the pipelining AsyncClient).
// Keys share the hash tag {user} (percent-encoded, redis::HashTag) so a Redis Cluster keeps them
// in one slot:
//   g:{user}:fp:<fingerprint>  exact-duplicate marker, TTL fingerprint_ttl
//   g:{user}:p:<asin>          one-per-product marker, TTL per_product_window
//   g:{user}:w                 sorted set of review ids scored by submit time (ms)
//   g:{user}:ok                sorted set of review ids scored by confirmation time (ms), trimmed
//                              to and expiring after confirmed_memory (WasConfirmed)
// Markers hold "<p|c>:<review_id>:<content digest>": unconfirmed or confirmed. An import uses
// only its fingerprint marker (and the confirmed set).
// Borrows `client`.
class RedisSubmissionGuard final : public SubmissionGuard {
 public:
  RedisSubmissionGuard(redis::AsyncClient& client, GuardPolicy policy)
      : client_(client), policy_(policy) {}
  void Admit(const review::Submission& s, absl::Time now, AdmitCallback done) override;
  void Confirm(const review::Submission& s, absl::Time now, DoneCallback done) override;
  void Release(const review::Submission& s, DoneCallback done) override;
  void WasConfirmed(const std::string& user_id, const std::string& review_id, absl::Time now,
                    std::function<void(absl::StatusOr<bool>)> done) override;
  const GuardPolicy& policy() const override { return policy_; }

  struct Keys {
    std::string fingerprint, product, window, confirmed;
  };
  // The keys of `s`'s markers and its user's sets (public for tests and operators' tools).
  static Keys KeysFor(const review::Submission& s);
  // The user's set of confirmed review ids.
  static std::string ConfirmedKey(const std::string& user_id);

 private:
  redis::AsyncClient& client_;
  GuardPolicy policy_;
};

}  // namespace candor::gateway
