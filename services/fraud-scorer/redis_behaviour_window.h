#pragma once

#include <mutex>
#include <string>

#include "libs/core/clock.h"
#include "libs/redis/hash_tag.h"
#include "libs/redis/redis_client.h"
#include "services/fraud-scorer/behaviour_window.h"

namespace candor::fraud_scorer {

// BehaviourWindow on Redis. Per user two sorted sets sharing a hash tag (so one Lua script may
// touch both on Redis Cluster):
//   fs:user:{<user_id>}           member review_id, score = submission time (ms)
//   fs:user:{<user_id>}:products  member asin, score = the user's latest submission time for it
// Record is one atomic script (one round trip): add, trim entries older than 7 days, refresh the
// 8-day TTL, count. RecordBatch runs the same script for every entry, pipelined on one connection
// (one round trip per batch instead of one per review), in order. After a failure it fails fast
// (Unavailable without touching Redis) for `cooldown`, so a Redis outage costs one timeout per
// cooldown instead of one per review. Borrows `client` and `clock`. Thread-safe.
class RedisBehaviourWindow final : public BehaviourWindow {
 public:
  RedisBehaviourWindow(redis::Client& client, const core::Clock& clock,
                       absl::Duration cooldown = absl::Seconds(2));

  absl::StatusOr<UserActivity> Record(const std::string& user_id, const std::string& review_id,
                                      const std::string& asin, absl::Time at,
                                      absl::Time now) override;
  // All entries in one pipeline. Fails as a whole (every entry Unavailable, cooldown started)
  // when the connection fails; an error reply fails its entry alone (and starts the cooldown).
  std::vector<absl::StatusOr<UserActivity>> RecordBatch(const std::vector<WindowEntry>& entries,
                                                        absl::Time now) override;

  // The user id is the hash tag (percent-encoded, redis::HashTag), so both keys share a slot.
  static std::string ReviewsKey(const std::string& user_id) {
    return "fs:user:" + redis::HashTag(user_id);
  }
  static std::string ProductsKey(const std::string& user_id) {
    return ReviewsKey(user_id) + ":products";
  }

 private:
  bool CoolingDown();
  void StartCooldown();

  redis::Client& client_;
  const core::Clock& clock_;
  absl::Duration cooldown_;
  std::mutex mu_;
  absl::Time skip_until_ = absl::InfinitePast();  // guarded by mu_
};

}  // namespace candor::fraud_scorer
