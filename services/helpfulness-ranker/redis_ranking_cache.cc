#include "services/helpfulness-ranker/redis_ranking_cache.h"

#include "absl/strings/numbers.h"
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
    args.push_back(rankcache::FloorText(top.back().first, top.back().second));
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

absl::StatusOr<std::optional<CachedRanking>> RedisRankingCache::Read(const std::string& asin) {
  // MULTI / EXEC: the floor and the set as one instant saw them (the ranker's scripts run whole).
  const std::string set = rankcache::SetKey(asin);
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
      client_.Pipeline({{"MULTI"},
                        {"GET", rankcache::FloorKey(asin)},
                        {"ZREVRANGE", set, "0", "-1", "WITHSCORES"},
                        {"EXEC"}});
  if (!replies.ok()) return replies.status();
  for (const absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok())
      return absl::UnavailableError(absl::StrCat("ranking read: ", r.status().message()));
  }
  const redis::Reply& exec = *replies->back();
  if (exec.type != redis::Reply::Type::kArray || exec.elements.size() != 2 ||
      exec.elements[1].type != redis::Reply::Type::kArray ||
      exec.elements[1].elements.size() % 2 != 0) {
    return absl::InternalError(absl::StrCat("ranking read of ", set, ": unexpected reply"));
  }
  if (exec.elements[0].type == redis::Reply::Type::kNil) return std::optional<CachedRanking>();
  absl::StatusOr<std::optional<std::pair<double, std::string>>> floor =
      rankcache::ParseFloor(exec.elements[0].str);
  if (!floor.ok()) return floor.status();
  CachedRanking ranking{.floor = *std::move(floor), .members = {}};
  const std::vector<redis::Reply>& flat = exec.elements[1].elements;
  ranking.members.reserve(flat.size() / 2);
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    double key = 0;
    if (!absl::SimpleAtod(flat[i + 1].str, &key)) {
      return absl::InternalError(
          absl::StrCat("ranking read of ", set, ": a score is not a number"));
    }
    ranking.members.emplace_back(key, flat[i].str);
  }
  return std::optional<CachedRanking>(std::move(ranking));
}

}  // namespace candor::helpfulness_ranker
