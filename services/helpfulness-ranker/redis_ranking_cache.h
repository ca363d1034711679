#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libs/redis/redis_client.h"
#include "services/helpfulness-ranker/ranking.h"

namespace candor::helpfulness_ranker {

// RankingCache on Redis: the keys and scripts of libs/rankcache (its header says what the set and
// its floor hold). Update sends one script call per product, all in one pipeline; a product
// without a floor key is returned for Rebuild. Read is one MULTI / EXEC of GET and ZREVRANGE.
// Borrows `client`. Thread-safe.
class RedisRankingCache final : public RankingCache {
 public:
  RedisRankingCache(redis::Client& client, int top_n) : client_(client), top_n_(top_n) {}

  absl::StatusOr<std::vector<std::string>> Update(
      const std::vector<std::pair<std::string, std::vector<RankChange>>>& products) override;
  absl::Status Rebuild(const std::string& asin,
                       const std::vector<std::pair<double, std::string>>& top,
                       bool complete) override;
  absl::StatusOr<std::optional<CachedRanking>> Read(const std::string& asin) override;

 private:
  redis::Client& client_;
  const int top_n_;
};

}  // namespace candor::helpfulness_ranker
