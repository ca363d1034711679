#include "libs/ratings/redis_rating_cache.h"

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/ratings/redis_rating_hash.h"

namespace candor::ratings {

std::string RedisRatingCache::Key(const std::string& asin) { return RatingHashKey(asin); }

absl::StatusOr<std::optional<review::RatingAggregate>> RedisRatingCache::Get(
    const std::string& asin) {
  std::vector<std::string> command = RatingHashGetCommand(asin);
  absl::StatusOr<redis::Reply> r = client_.Command({command.begin(), command.end()});
  if (!r.ok()) return r.status();
  return ParseRatingHash(asin, *r);
}

absl::StatusOr<bool> RedisRatingCache::Put(const review::RatingAggregate& a) {
  std::string key = RatingHashKey(a.asin);
  std::vector<std::string> args = RatingPutArgs(a);
  std::vector<std::string_view> views(args.begin(), args.end());
  absl::StatusOr<redis::Reply> r = client_.Eval(RatingPutScript(), {key}, views);
  if (!r.ok()) return r.status();
  return RatingPutStored(*r);
}

absl::Status RedisRatingCache::Drop(const std::string& asin) {
  const std::string key = RatingHashKey(asin);
  return client_.Command({"DEL", key}).status();
}

absl::StatusOr<std::vector<bool>> RedisRatingCache::PutMany(
    const std::vector<review::RatingAggregate>& aggregates) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(aggregates.size());
  for (const review::RatingAggregate& a : aggregates) {
    calls.push_back({{RatingHashKey(a.asin)}, RatingPutArgs(a)});
  }
  auto replies = client_.EvalPipeline(RatingPutScript(), calls);
  if (!replies.ok()) return replies.status();
  std::vector<bool> stored;
  stored.reserve(replies->size());
  for (const absl::StatusOr<redis::Reply>& r : *replies) {
    if (!r.ok()) return r.status();
    stored.push_back(RatingPutStored(*r));
  }
  return stored;
}

absl::StatusOr<std::string> RedisRatingCache::Incarnation() {
  absl::StatusOr<redis::Reply> r = client_.Command({"INFO", "server"});
  if (!r.ok()) return r.status();
  for (absl::string_view line : absl::StrSplit(r->str, '\n')) {
    if (absl::ConsumePrefix(&line, "run_id:")) {
      return std::string(absl::StripTrailingAsciiWhitespace(line));
    }
  }
  return absl::DataLossError("redis INFO server has no run_id");
}

}  // namespace candor::ratings
