#include "services/helpfulness-ranker/redis_ranking_cache.h"

#include "absl/strings/str_cat.h"
#include "libs/rankcache/rank_cache.h"

namespace candor::helpfulness_ranker {

absl::StatusOr<std::vector<std::string>> RedisRankingCache::Update(
    const std::vector<std::pair<std::string, std::vector<RankChange>>>& products) {
  std::vector<std::string> unknown;
  if (products.empty()) return unknown;
  std::vector<redis::ScriptCall> calls;
  calls.reserve(products.size());
  for (const auto& [asin, changes] : products) {
    redis::ScriptCall call{{rankcache::SetKey(asin), rankcache::FloorKey(asin)},
                           {absl::StrCat(top_n_)}};
    for (const RankChange& c : changes) {
      call.args.push_back(c.review_id);
      call.args.push_back(c.sort_key ? rankcache::KeyText(*c.sort_key) : "");
    }
    calls.push_back(std::move(call));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
      client_.EvalPipeline(rankcache::UpdateScript(), calls);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const absl::StatusOr<redis::Reply>& r = (*replies)[i];
    if (!r.ok())
      return absl::UnavailableError(absl::StrCat("ranking update: ", r.status().message()));
    if (r->integer < 0) unknown.push_back(products[i].first);
  }
  return unknown;
}

absl::Status RedisRankingCache::Rebuild(const std::string& asin,
                                        const std::vector<std::pair<double, std::string>>& top,
                                        bool complete) {
  std::vector<std::string> args;
  args.reserve(1 + 2 * top.size());
  // Not complete: the set ends at the last review of `top`, and everything below it (from the
  // floor down) is Postgres's to serve.
  if (complete || top.empty()) {
    args.emplace_back("-");
  } else {
    args.push_back(absl::StrCat(rankcache::KeyText(top.back().first), "|", top.back().second));
  }
  for (const auto& [key, id] : top) {
    args.push_back(id);
    args.push_back(rankcache::KeyText(key));
  }
  if (!complete && !top.empty()) {
    // The floor is the last review itself: it is kept out of the set so that the set is exactly
    // the reviews above the floor.
    args.resize(args.size() - 2);
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> r = client_.EvalPipeline(
      rankcache::RebuildScript(),
      {{{rankcache::SetKey(asin), rankcache::FloorKey(asin)}, std::move(args)}});
  if (!r.ok()) return r.status();
  if (!r->front().ok()) {
    return absl::UnavailableError(absl::StrCat("ranking rebuild: ", r->front().status().message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::helpfulness_ranker
