#pragma once

#include <cstdint>
#include <string>

#include "libs/redis/redis_client.h"
#include "services/reco-api/history_store.h"

namespace candor::reco_api {

// HistoryStore on Redis (README "Redis keys"):
//   reco:r:{review_id}   string "active \t history key \t asin \t unix time \t day key": what an
//                        Accepted event told, so a later Removed / Restored (which carry no
//                        user) finds the review's entries; its presence makes Accepted idempotent
//   reco:h:{user_id}     sorted set asin -> unix time of the review, trimmed to the newest
//                        `history_cap`
//   reco:pop:d:<day>     sorted set asin -> accepted reviews that day (unix day number), expiring
//                        `window_days` + 2 days after the day
//   reco:pop:all         sorted set asin -> accepted reviews ever
//   reco:fi:<asin>       hash rc (active reviews with a rating), rs (their rating sum)
//   reco:ft:<asin>       sorted set review id -> unix time of each active review
//   reco:co:<asin>       sorted set other asin -> users whose kept histories hold both
// Each event is one Lua script (atomic); a batch is one pipeline. The scripts touch keys they
// read from reco:r:, so this layout needs a single Redis, not a cluster.
class RedisHistoryStore final : public HistoryStore {
 public:
  RedisHistoryStore(redis::Client& client, int32_t history_cap, int32_t window_days)
      : client_(client), history_cap_(history_cap), window_days_(window_days) {}

  absl::Status Apply(std::span<const review::ReviewEvent> events, absl::Time now) override;
  absl::StatusOr<std::vector<HistoryItem>> History(std::string_view user_id) override;
  absl::StatusOr<std::vector<PopularItem>> Popular(absl::Time now, int32_t window_days,
                                                   int32_t n) override;

  absl::StatusOr<FeatureSnapshot> Features(std::vector<std::string> asins,
                                           std::span<const int32_t> history, int64_t now,
                                           int64_t window_seconds) override;

  static std::string HistoryKey(std::string_view user_id);

 private:
  redis::Client& client_;
  const int32_t history_cap_;
  const int32_t window_days_;
};

}  // namespace candor::reco_api
