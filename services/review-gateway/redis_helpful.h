#pragma once

#include <string>

#include "libs/redis/async_client.h"
#include "services/review-gateway/helpful_ports.h"

namespace candor::gateway {

// VoteLimiter on Redis: a sliding window per user (sorted set `v:{user}:w`, scored by time in
// ms), checked and recorded by one script call. Borrows `client`. Thread-safe.
class RedisVoteLimiter final : public VoteLimiter {
 public:
  RedisVoteLimiter(redis::AsyncClient& client, int64_t limit, absl::Duration window)
      : client_(client), limit_(limit), window_(window) {}
  void Admit(const std::string& user_id, absl::Time now,
             std::function<void(absl::StatusOr<VoteAdmission>)> done) override;
  int64_t limit() const override { return limit_; }
  absl::Duration window() const override { return window_; }

 private:
  redis::AsyncClient& client_;
  const int64_t limit_;
  const absl::Duration window_;
};

// RankingReader on Redis: libs/rankcache's read script on helpful:{asin}. Borrows `client`.
// Thread-safe.
class RedisRankingReader final : public RankingReader {
 public:
  explicit RedisRankingReader(redis::AsyncClient& client) : client_(client) {}
  void Read(const std::string& asin, int n,
            const std::optional<std::pair<double, std::string>>& after,
            std::function<void(absl::StatusOr<std::optional<RankedRead>>)> done) override;

 private:
  redis::AsyncClient& client_;
};

}  // namespace candor::gateway
